/** Admin over HTTP on a real server: keys of any tenant (expiry, budgets enforced at admission), any tenant's usage and sessions, the audit log, and permission_denied for other keys. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

interface KeyBody {
  id: string;
  key?: string;
  tenant: string;
  role: string;
  tier: string;
  expires_at: number | null;
  revoked_at: number | null;
  budget: { tokens_per_month: number | null; usd_per_month: number | null } | null;
}

interface ErrorBody {
  error: { code: string; param: string | null; message: string };
}

describe('admin API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${server.url}${path}`, { method, headers: authHeaders(key), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  async function createKey(body: unknown): Promise<KeyBody> {
    const response = await call('POST', '/v1/admin/keys', server.key, body);
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as KeyBody;
  }

  const chat = (key: string) => call('POST', '/v1/chat/completions', key, { model: 'demo', messages: [{ role: 'user', content: 'hello' }] });

  it('creates keys for any tenant with tier, expiry and budget, lists them, and revokes one so it stops working', async () => {
    const expiresAt = Date.now() + 3_600_000;
    const made = await createKey({ tenant: 'globex', tier: 'gold', expires_at: expiresAt, budget: { usd_per_month: 25 } });
    assert.match(made.key!, /^sb-/);
    assert.deepEqual({ ...made, id: undefined, key: undefined }, { id: undefined, key: undefined, object: 'api_key', tenant: 'globex', role: 'user', tier: 'gold', created_at: (made as unknown as { created_at: number }).created_at, expires_at: expiresAt, revoked_at: null, budget: { tokens_per_month: null, usd_per_month: 25 } });
    assert.equal((await chat(made.key!)).status, 200);

    const listed = (await (await call('GET', '/v1/admin/keys?tenant=globex', server.key)).json()) as { data: KeyBody[] };
    assert.deepEqual(listed.data.map((key) => key.id), [made.id]);
    assert.equal(listed.data[0]!.key, undefined, 'a listing shows a plain key');

    const revoked = await call('DELETE', `/v1/admin/keys/${made.id}`, server.key);
    assert.equal(revoked.status, 200);
    assert.equal(((await revoked.json()) as KeyBody).revoked_at !== null, true);
    const refused = await chat(made.key!);
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as ErrorBody).error.code, 'invalid_api_key');
    const unknown = await call('DELETE', '/v1/admin/keys/key_nothing', server.key);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as ErrorBody).error.code, 'key_not_found');
  });

  it('refuses bad key requests naming the field, and stores nothing', async () => {
    const before = ((await (await call('GET', '/v1/admin/keys', server.key)).json()) as { data: KeyBody[] }).data.length;
    for (const [body, param] of [
      [{ tenant: 'acme', expires_at: Date.now() - 1000 }, 'expires_at'],
      [{ tenant: 'acme', budget: {} }, 'budget'],
      [{ tenant: 'acme', budget: { tokens_per_month: -5 } }, 'budget.tokens_per_month'],
      [{ tenant: 'acme', role: 'root' }, 'role'],
      [{ tenant: 'acme', colour: 'red' }, 'colour'],
    ] as const) {
      const response = await call('POST', '/v1/admin/keys', server.key, body);
      const error = ((await response.json()) as ErrorBody).error;
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.ok(error.param === param || error.message.includes(param), `${JSON.stringify(body)}: ${JSON.stringify(error)}`);
    }
    const after = ((await (await call('GET', '/v1/admin/keys', server.key)).json()) as { data: KeyBody[] }).data.length;
    assert.equal(after, before);
  });

  it('enforces a token budget at admission with budget_exceeded once the month is used up', async () => {
    const limited = await createKey({ tenant: 'initech', budget: { tokens_per_month: 1 } });
    assert.equal((await chat(limited.key!)).status, 200, 'the first call is within the budget');
    // The ledger write of the first call is not awaited by it: wait until the admin usage shows it.
    const deadline = Date.now() + 5_000;
    let tokens = 0;
    while (tokens === 0 && Date.now() < deadline) {
      const usage = (await (await call('GET', '/v1/admin/tenants/initech/usage', server.key)).json()) as { data: { prompt_tokens: number; completion_tokens: number }[] };
      tokens = usage.data.reduce((sum, row) => sum + row.prompt_tokens + row.completion_tokens, 0);
    }
    assert.ok(tokens > 1, 'the usage of the first call never showed');
    const refused = await chat(limited.key!);
    assert.equal(refused.status, 429);
    const error = ((await refused.json()) as ErrorBody).error;
    assert.equal(error.code, 'budget_exceeded');
    assert.match(error.message, /budget of 1 tokens per month; tenant "initech" has used \d+ this month\. It resets at \d{4}-\d\d-01T00:00:00\.000Z/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    // Another key of the same tenant without a budget is not limited by it.
    const unlimited = await createKey({ tenant: 'initech' });
    assert.equal((await chat(unlimited.key!)).status, 200);
  });

  it("reads any tenant's usage and lists its recent sessions", async () => {
    const other = await createKey({ tenant: 'umbrella' });
    const sessions: string[] = [];
    for (let index = 0; index < 3; index++) {
      const session = (await (await call('POST', '/v1/sessions', other.key!, { metadata: { n: String(index) } })).json()) as { id: string };
      sessions.push(session.id);
    }
    const page = (await (await call('GET', '/v1/admin/tenants/umbrella/sessions?limit=2', server.key)).json()) as { data: { id: string; tenant: string }[]; next_cursor: string | null };
    assert.equal(page.data.length, 2);
    assert.ok(page.data.every((session) => session.tenant === 'umbrella' && sessions.includes(session.id)));
    assert.notEqual(page.next_cursor, null);
    const rest = (await (await call('GET', `/v1/admin/tenants/umbrella/sessions?cursor=${page.next_cursor}`, server.key)).json()) as { data: { id: string }[] };
    assert.deepEqual(new Set([...page.data, ...rest.data].map((session) => session.id)), new Set(sessions));
    const bad = await call('GET', '/v1/admin/tenants/umbrella/sessions?limit=lots', server.key);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as ErrorBody).error.param, 'limit');
  });

  it('writes every admin change to the audit log with who and when', async () => {
    const startedAt = Date.now();
    const made = await createKey({ tenant: 'audited', tier: 'pro' });
    await call('DELETE', `/v1/admin/keys/${made.id}`, server.key);
    const admin = (await server.runtime.store.keys.verify(server.key))!;
    const audit = (await (await call('GET', '/v1/admin/audit?limit=2', server.key)).json()) as { data: { at: number; actor: { key_id: string; tenant: string }; action: string; target: string; details: Record<string, unknown> | null }[] };
    assert.deepEqual(audit.data.map((entry) => [entry.action, entry.target]), [['key.revoke', made.id], ['key.create', made.id]]);
    for (const entry of audit.data) {
      assert.deepEqual(entry.actor, { key_id: admin.id, tenant: admin.tenant });
      assert.ok(entry.at >= startedAt && entry.at <= Date.now());
    }
    assert.equal(audit.data[1]!.details!.tier, 'pro');
    assert.equal(JSON.stringify(audit.data).includes(made.key!), false, 'the audit log holds a plain key');
  });

  it('answers permission_denied to a non-admin key on every admin route, and changes nothing', async () => {
    const user = await createKey({ tenant: 'acme' });
    const before = ((await (await call('GET', '/v1/admin/keys', server.key)).json()) as { data: KeyBody[] }).data;
    for (const [method, path, body] of [
      ['POST', '/v1/admin/keys', { tenant: 'acme', role: 'admin' }],
      ['GET', '/v1/admin/keys', undefined],
      ['DELETE', `/v1/admin/keys/${user.id}`, undefined],
      ['GET', '/v1/admin/tenants/acme/usage', undefined],
      ['GET', '/v1/admin/tenants/acme/sessions', undefined],
      ['GET', '/v1/admin/audit', undefined],
      ['GET', '/v1/admin/console', undefined],
      ['POST', '/v1/admin/reload', undefined],
    ] as const) {
      const response = await call(method, path, user.key!, body);
      assert.equal(response.status, 403, `${method} ${path}`);
      const error = ((await response.json()) as ErrorBody).error;
      assert.equal(error.code, 'permission_denied');
      assert.match(error.message, /needs an admin key; this key's role is "user"/);
    }
    const after = ((await (await call('GET', '/v1/admin/keys', server.key)).json()) as { data: KeyBody[] }).data;
    assert.deepEqual(after, before);
  });
});
