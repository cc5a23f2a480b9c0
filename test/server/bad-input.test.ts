import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

interface ErrorBody {
  error: { message: string; type: string; code: string };
}

describe('bad input', () => {
  let server: TestServer;
  let sessionId: string;
  before(async () => {
    server = await startTestServer({ server: { bodyLimitBytes: 64 * 1024 } });
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
    sessionId = ((await created.json()) as { id: string }).id;
    const turn = await fetch(`${server.url}/v1/sessions/${sessionId}/messages`, { method: 'POST', headers: authHeaders(server.key), body: '{"content":"where is my order 42?"}' });
    assert.equal(turn.status, 200);
  });
  after(() => server.close());

  async function expectError(response: Response, status: number, code: string): Promise<ErrorBody> {
    assert.equal(response.status, status);
    const body = (await response.json()) as ErrorBody;
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.equal(typeof body.error.type, 'string');
    return body;
  }

  it('answers malformed JSON with 400 invalid_json', async () => {
    await expectError(await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: '{"model":' }), 400, 'invalid_json');
  });

  it('names the missing or ill-typed field', async () => {
    const missing = await expectError(await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: '{"model":"demo"}' }), 400, 'invalid_request');
    assert.match(missing.error.message, /messages/);
    const wrongType = await expectError(
      await fetch(`${server.url}/v1/sessions/${sessionId}/messages`, { method: 'POST', headers: authHeaders(server.key), body: '{"content":42}' }),
      400,
      'invalid_request',
    );
    assert.match(wrongType.error.message, /content/);
  });

  it('answers a body over the limit with 413', async () => {
    const huge = JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] });
    await expectError(await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: huge }), 413, 'body_too_large');
  });

  it('answers an unknown model with 404 and an unknown path with 404', async () => {
    await expectError(
      await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: '{"model":"nope","messages":[{"role":"user","content":"x"}]}' }),
      404,
      'model_not_found',
    );
    await expectError(await fetch(`${server.url}/v2/unknown`, { headers: authHeaders(server.key) }), 404, 'not_found');
    await expectError(await fetch(`${server.url}/v1/models`, { method: 'DELETE', headers: authHeaders(server.key) }), 405, 'method_not_allowed');
  });

  it('answers missing, unknown and revoked keys with 401', async () => {
    await expectError(await fetch(`${server.url}/v1/models`), 401, 'missing_api_key');
    await expectError(await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer sb-unknown' } }), 401, 'invalid_api_key');
    const { key, record } = await server.runtime.store.keys.create({ tenant: 'tenant-a' });
    assert.equal((await fetch(`${server.url}/v1/models`, { headers: authHeaders(key) })).status, 200);
    await server.runtime.store.keys.revoke(record.id);
    await expectError(await fetch(`${server.url}/v1/models`, { headers: authHeaders(key) }), 401, 'invalid_api_key');
  });

  it('survives random and hostile bodies on every endpoint, and the stored session stays intact', async () => {
    const before = await (await fetch(`${server.url}/v1/sessions/${sessionId}`, { headers: authHeaders(server.key) })).text();
    const endpoints = [
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1/sessions'],
      ['POST', `/v1/sessions/${sessionId}/messages`],
      ['GET', '/v1/models'],
      ['GET', `/v1/sessions/${sessionId}`],
      ['POST', '/v1/sessions/%E0%A4%A/messages'],
    ] as const;
    const hostile = fc.oneof(
      fc.json(),
      fc.string(),
      fc.anything().map((value) => JSON.stringify(value) ?? 'null'),
      fc.constantFrom(
        '{"__proto__":{"admin":true},"content":"x"}',
        '{"constructor":{"prototype":{"polluted":1}},"model":"demo","messages":[{"role":"user","content":"x"}]}',
        '{"a":['.repeat(5000) + '"x"' + ']}'.repeat(5000),
        '{"content":' + '['.repeat(20000) + ']'.repeat(20000) + '}',
        '{"content":"' + 'y'.repeat(60_000) + '"}',
        '{"metadata":{"__proto__":"x"}}',
        '{"model":"demo","messages":[{"role":"user","content":[{"type":"image_url"}]}]}',
        '{"content":{"$gt":""}}',
        '[1,2,3]',
        'null',
      ),
    );
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    for (const [method, path] of endpoints) {
      const response = await fetch(`${server.url}${path}`, { method: 'POST' === method ? method : method, headers: authHeaders(server.key), body: method === 'POST' ? invalidUtf8 : undefined });
      assert.ok(response.status < 500, `${method} ${path} invalid UTF-8 -> ${response.status}`);
      await response.arrayBuffer();
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), hostile, async ([method, path], body) => {
        const response = await fetch(`${server.url}${path}`, { method, headers: authHeaders(server.key), body: method === 'POST' ? body : undefined });
        const text = await response.text();
        assert.ok(response.status < 500, `${method} ${path} ${body.slice(0, 80)} -> ${response.status} ${text.slice(0, 200)}`);
        if (response.status >= 400) assert.equal(typeof (JSON.parse(text) as ErrorBody).error.code, 'string');
      }),
      { numRuns: 150, seed: 42 },
    );
    assert.equal(({} as Record<string, unknown>).admin, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const afterText = await (await fetch(`${server.url}/v1/sessions/${sessionId}`, { headers: authHeaders(server.key) })).text();
    const beforeSession = JSON.parse(before) as { messages: unknown[] };
    const afterSession = JSON.parse(afterText) as { messages: unknown[]; version: number };
    // Hostile turns that happened to be valid may have added whole turns, never partial ones: one user message
    // per committed turn, and every turn (tool calls and results in between) ends with the assistant's answer.
    const messages = afterSession.messages as { role: string; tool_calls?: unknown[] }[];
    assert.deepEqual(afterSession.messages.slice(0, beforeSession.messages.length), beforeSession.messages);
    assert.equal(messages.filter((message) => message.role === 'user').length, afterSession.version);
    messages.forEach((message, index) => {
      const next = messages[index + 1];
      if (next === undefined || next.role === 'user') assert.ok(message.role === 'assistant' && message.tool_calls === undefined, `turn ${index} ends in ${message.role}`);
    });
  });
});
