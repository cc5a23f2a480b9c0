/** Chat completions run through the same stage runner as turns: Server-Timing and the stage histogram name their stages. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

describe('chat completion stages', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const body = (stream: boolean) => JSON.stringify({ model: 'demo', stream, messages: [{ role: 'user', content: 'hello' }] });

  it('times authenticate, admit, resolve-route, assign-variant and call-model of a whole answer in Server-Timing', async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: body(false) });
    assert.equal(response.status, 200);
    const timing = response.headers.get('server-timing') ?? '';
    assert.deepEqual(
      timing.split(', ').map((entry) => entry.split(';')[0]),
      ['authenticate', 'admit', 'resolve-route', 'assign-variant', 'call-model'],
      timing,
    );
    for (const entry of timing.split(', ')) assert.match(entry, /;dur=\d+(\.\d+)?$/);
    await response.json();
  });

  it('sends the stages done before the first token with a stream, and counts every stage in the histogram', async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: body(true) });
    assert.equal(response.status, 200);
    const timing = response.headers.get('server-timing') ?? '';
    assert.deepEqual(timing.split(', ').map((entry) => entry.split(';')[0]), ['authenticate', 'admit', 'resolve-route', 'assign-variant'], timing);
    assert.match(await response.text(), /\[DONE\]/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const stage of ['authenticate', 'admit', 'resolve-route', 'assign-variant', 'call-model']) {
      const count = new RegExp(`switchboard_stage_duration_seconds_count\\{stage="${stage}"\\} (\\d+)`).exec(metrics);
      assert.ok(count && Number(count[1]) >= 2, `${stage} counted twice: ${count?.[0]}`);
    }
  });
});
