import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouteTable } from '../../src/server/route-table.js';
import type { RouteSpec } from '../../src/server/route-spec.js';

const route = (method: string, pattern: string): RouteSpec => ({ method, pattern, auth: 'none', handle: async () => {} }) as unknown as RouteSpec;

describe('the route table', () => {
  const sessions = route('POST', '/v1/sessions');
  const turn = route('POST', '/v1/sessions/:id/turns');
  const getSession = route('GET', '/v1/sessions/:id');
  const deleteSession = route('DELETE', '/v1/sessions/:id');
  const fixed = route('GET', '/v1/sessions/recent');
  const table = new RouteTable([sessions, turn, fixed, getSession, deleteSession]);

  it('finds a route by method and path, with its parameters decoded', () => {
    const match = table.match('POST', '/v1/sessions/a%20b/turns');
    assert.equal(match.kind, 'found');
    assert.equal(match.kind === 'found' && match.route, turn);
    assert.deepEqual(match.kind === 'found' && match.params, { id: 'a b' });
    assert.deepEqual(table.match('POST', '/v1/sessions'), { kind: 'found', route: sessions, params: {} });
  });

  it('the first declared route that matches wins (a fixed segment before a parameter)', () => {
    assert.equal((table.match('GET', '/v1/sessions/recent') as { route: RouteSpec }).route, fixed);
    assert.equal((table.match('GET', '/v1/sessions/s1') as { route: RouteSpec }).route, getSession);
  });

  it('answers HEAD with the GET route', () => {
    assert.equal((table.match('HEAD', '/v1/sessions/s1') as { route: RouteSpec }).route, getSession);
  });

  it('names the methods a path allows when the method is not one of them', () => {
    assert.deepEqual(table.match('PUT', '/v1/sessions/s1'), { kind: 'method-not-allowed', pattern: '/v1/sessions/:id', allowed: ['GET', 'DELETE'] });
  });

  it('does not match an empty parameter, a malformed escape, another length or another fixed segment', () => {
    assert.deepEqual(table.match('POST', '/v1/sessions//turns'), { kind: 'not-found' });
    assert.deepEqual(table.match('GET', '/v1/sessions/%E0%A4%A'), { kind: 'not-found' });
    assert.deepEqual(table.match('PUT', '/v1/sessions/%E0%A4%A'), { kind: 'not-found' });
    assert.deepEqual(table.match('POST', '/v1/sessions/s1/turns/x'), { kind: 'not-found' });
    assert.deepEqual(table.match('POST', '/v2/sessions/s1/turns'), { kind: 'not-found' });
  });
});
