import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadUndici } from '../../src/models/providers/load-undici.js';

const loadedModules = () => Object.keys(createRequire(import.meta.url).cache);

/**
 * The upstream client loads undici's core only (Pool, Agent, request), not its index: fetch,
 * WebSocket and the cache and mock dispatchers stay unloaded, and what is loaded still calls out.
 */
describe('the upstream client is undici without its web half', () => {
  let server: Server;
  let origin: string;
  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => response.end(JSON.stringify({ method: request.method, url: request.url, body })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('loads the dispatcher modules and none of fetch, WebSocket, cache or mocks', async () => {
    await loadUndici();
    const undici = loadedModules().filter((path) => path.includes('/node_modules/undici/'));
    assert.ok(undici.some((path) => path.endsWith('/lib/dispatcher/pool.js')), `undici's Pool was loaded: ${undici.join(', ')}`);
    assert.deepEqual(undici.filter((path) => /\/lib\/(web|mock|cache)\/|\/undici\/index\.js$/.test(path)), []);
  });

  it("a Pool's request and the top-level request reach the server", async () => {
    const { Pool, request } = await loadUndici();
    const pool = new Pool(origin, { connections: 1 });
    try {
      const pooled = await pool.request({ method: 'POST', path: '/v1/pool?x=1', body: 'hello' });
      assert.deepEqual(await pooled.body.json(), { method: 'POST', url: '/v1/pool?x=1', body: 'hello' });
    } finally {
      await pool.close();
    }
    const direct = await request(`${origin}/v1/direct?y=2`, { method: 'POST', body: '{"a":1}' });
    assert.equal(direct.statusCode, 200);
    assert.deepEqual(await direct.body.json(), { method: 'POST', url: '/v1/direct?y=2', body: '{"a":1}' });
    const get = await request(`${origin}/plain`);
    assert.deepEqual(await get.body.json(), { method: 'GET', url: '/plain', body: '' });
  });
});
