import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryingClients } from '../../src/planner/deploy-simulation/retrying-clients.js';

test('a client retries each 429 within a doubling full-jitter window, capped, and gives up after its last attempt', () => {
  const clients = new RetryingClients(2, { baseMs: 1000, capMs: 3000, maxAttempts: 3 }, { next: () => 0.5 });
  clients.attempt(0);
  assert.equal(clients.retryAt(0, 10_000), 10_000 + 0.5 * 1000, 'first retry: up to 1 s');
  clients.attempt(0);
  assert.equal(clients.retryAt(0, 20_000), 20_000 + 0.5 * 2000, 'second: up to 2 s');
  clients.attempt(0);
  assert.ok(Number.isNaN(clients.retryAt(0, 30_000)), 'the third attempt was the last');
  clients.attempt(1);
  clients.attempt(1);
  assert.equal(clients.retryAt(1, 0), 0.5 * 2000, 'each client counts its own attempts');
  assert.equal(clients.throttleResponses, 4);
});

test('the window stops doubling at the cap', () => {
  const clients = new RetryingClients(1, { baseMs: 1000, capMs: 3000, maxAttempts: 100 }, { next: () => 0.5 });
  for (let attempt = 0; attempt < 40; attempt++) clients.attempt(0);
  assert.equal(clients.retryAt(0, 0), 0.5 * 3000);
});
