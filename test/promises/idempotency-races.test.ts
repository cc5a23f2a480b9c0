/**
 * Idempotency under races: while one turn on a session is at its model call, a second turn with the
 * same Idempotency-Key and another body is refused with 422, and any other turn on that session with
 * 409, both before a model call is made (the simulator's request counter shows it). A conditional
 * commit that finds the key taken by another body also answers 422 (the last word, lease or not).
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import { isSwitchboardError } from '../../src/errors.js';
import { saveSessionStage } from '../../src/pipeline/turn/save-session-stage.js';
import type { TurnContext } from '../../src/pipeline/turn/turn-context.js';
import type { TurnServices } from '../../src/pipeline/services.js';
import { StageTimer } from '../../src/pipeline/stage-timer.js';
import { createMemoryStore } from '../../src/stores/memory/memory-store.js';
import { noopSpan } from '../../src/telemetry/tracing.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('idempotency and session races', () => {
  let simulator: LlmSimulator;
  let server: TestServer;
  before(async () => {
    simulator = await startLlmSimulator({ ttftMs: 1, itlMs: 1, outputTokens: 3, jitter: 0 });
    server = await startTestServer({
      simulator: undefined,
      pools: { sim: { model: 'sim', instances: [{ url: simulator.url }] } },
      routes: { demo: { pool: 'sim' } },
      agents: { helper: { route: 'demo' } },
      intent: { defaultAgent: 'helper' },
    });
  });
  after(async () => {
    await server.close();
    await simulator.close();
  });

  async function newSession(): Promise<string> {
    return ((await (await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) })).json()) as { id: string }).id;
  }

  function turn(sessionId: string, content: string, idempotencyKey?: string, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = authHeaders(server.key);
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return fetch(`${server.url}/v1/sessions/${sessionId}/messages`, { method: 'POST', headers, body: JSON.stringify({ content }), signal });
  }

  /**
   * Holds the first turn at its model call (the simulator stalls it), runs the race, then the first
   * turn's client leaves: its lease must be released at that abort, so a next turn is served.
   * The race is set by events (the simulator's request counter), not by timing.
   */
  async function withFirstTurnAtTheModel(sessionId: string, key: string | undefined, race: () => Promise<void>): Promise<void> {
    simulator.configure({ stallMs: 3_600_000 });
    const receivedBefore = simulator.stats().received;
    const leaving = new AbortController();
    const first = turn(sessionId, 'first body', key, leaving.signal).catch((error: Error) => error);
    await until(() => simulator.stats().received === receivedBefore + 1);
    try {
      await race();
    } finally {
      simulator.configure({ stallMs: 0 });
      leaving.abort();
    }
    assert.ok((await first) instanceof Error);
    await until(() => server.runtime.base.admission.inFlight === 0);
    const next = await turn(sessionId, 'after the first left');
    assert.equal(next.status, 200, 'the lease was released when the first turn ended');
  }

  /** Sends the racing turn; settles when it is answered or when it reached the model (the failure this test guards against). */
  async function race(send: (signal: AbortSignal) => Promise<Response>): Promise<{ response?: Response; modelCalls: number }> {
    const before = simulator.stats().received;
    const controller = new AbortController();
    let response: Response | undefined;
    const answered = send(controller.signal).then((value) => (response = value), (error: Error) => error);
    await until(() => response !== undefined || simulator.stats().received > before);
    const modelCalls = simulator.stats().received - before;
    if (response === undefined) controller.abort();
    await answered;
    return { response, modelCalls };
  }

  it('refuses the same Idempotency-Key with another body with 422, before its model call', async () => {
    const sessionId = await newSession();
    await withFirstTurnAtTheModel(sessionId, 'same-key', async () => {
      const { response, modelCalls } = await race((signal) => turn(sessionId, 'another body', 'same-key', signal));
      assert.equal(modelCalls, 0, 'the loser made no model call');
      assert.equal(response!.status, 422);
      assert.equal(((await response!.json()) as { error: { code: string } }).error.code, 'idempotency_key_reused');
    });
  });

  it('answers a racing turn on a leased session with 409 before its model call', async () => {
    const sessionId = await newSession();
    await withFirstTurnAtTheModel(sessionId, undefined, async () => {
      const { response, modelCalls } = await race((signal) => turn(sessionId, 'second turn', undefined, signal));
      assert.equal(modelCalls, 0, 'the loser made no model call');
      assert.equal(response!.status, 409);
      assert.equal(((await response!.json()) as { error: { code: string } }).error.code, 'session_conflict');
    });
  });

  it('refuses at commit a key another body committed first (no lease held, as after one expired)', async () => {
    const store = createMemoryStore();
    const session = await store.sessions.create({ tenant: 'acme' });
    const committed = await store.sessions.appendTurn('acme', session.id, 0, {
      messages: [{ role: 'user', content: 'first body', at: 1 }],
      agent: 'helper',
      idempotencyKey: 'same-key',
      requestHash: 'hash-of-first-body',
      result: { object: 'session.turn', message: { content: 'the first reply' } },
    });
    assert.equal(committed.kind, 'committed');
    const context = {
      caller: { tenant: 'acme' },
      sessionId: session.id,
      session,
      content: 'another body',
      idempotencyKey: 'same-key',
      requestHash: 'hash-of-another-body',
      startedAt: 2,
      timer: new StageTimer(() => undefined),
      span: noopSpan,
      result: { text: 'the loser reply', usage: { promptTokens: 1, completionTokens: 1 } },
      decision: { route: 'demo', pool: 'sim', instance: 'sim-0', rule: 'default', attempts: 1 },
      intent: { intent: 'general', confidence: 1, source: 'default' },
      agentName: 'helper',
      run: { steps: 1, toolCalls: [], citations: [], added: [] },
    } as unknown as TurnContext;
    const services = { sessions: store.sessions, experiments: { recordExposure: () => undefined } } as unknown as TurnServices;
    await assert.rejects(
      Promise.resolve(saveSessionStage.run(context, services, noopSpan)),
      (error: unknown) => isSwitchboardError(error) && error.code === 'idempotency_key_reused' && error.status === 422,
    );
    assert.equal(context.reply, undefined, 'the other body\'s reply is not handed to the loser');
  });
});
