import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { runAgentLoop, type AgentRouter } from '../../src/agents/agent-runner.js';
import { RequestAbort } from '../../src/pipeline/request-abort.js';
import { isSwitchboardError } from '../../src/errors.js';

describe('one abort per request (RequestAbort)', () => {
  it('keeps a client leaving apart from a deadline that aborted the same signal', async () => {
    const abort = new RequestAbort();
    const deadline = abort.armDeadline(1)!;
    assert.equal(deadline.signal, abort.signal, 'the deadline shares the request signal');
    await settled(once(abort.signal, 'abort'));
    assert.equal(abort.timedOut, true);
    assert.equal(abort.clientGone, false, 'a deadline is no client leaving');
    assert.equal((abort.signal.reason as DOMException).name, 'TimeoutError');
    abort.clientLeft(new Error('client disconnected'));
    assert.equal(abort.clientGone, true, 'a client leaving after the deadline is still told');
    assert.equal((abort.signal.reason as DOMException).name, 'TimeoutError', 'the first reason stands');
  });

  it('a client leaving first is not a timeout, and the deadline then does nothing', () => {
    const abort = new RequestAbort();
    const deadline = abort.armDeadline(60_000)!;
    abort.clientLeft(new Error('client disconnected'));
    assert.equal(abort.signal.aborted, true);
    assert.equal(deadline.callerLeft, true);
    abort.deadlineFired();
    assert.equal(deadline.timedOut, false);
    assert.equal((abort.signal.reason as Error).message, 'client disconnected');
    deadline.dispose();
  });

  it('a disposed deadline never aborts the signal, and one deadline is armed at a time', async () => {
    const abort = new RequestAbort();
    const first = abort.armDeadline(1)!;
    assert.equal(abort.armDeadline(1), undefined, 'a second deadline is refused while one is armed');
    first.dispose();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // (that timer is ref'd: the loop stays up past the disposed 1 ms deadline)
    assert.equal(abort.signal.aborted, false);
    assert.equal(abort.timedOut, false);
    assert.ok(abort.armDeadline(60_000), 'after dispose a new one may be armed');
    abort.dispose();
  });

  it('refuses a deadline on a signal that is aborted already', () => {
    const abort = new RequestAbort();
    abort.clientLeft(new Error('client disconnected'));
    assert.equal(abort.armDeadline(1_000), undefined);
  });

  /** Deadline timers are unref'd (they never keep a process up): the test keeps its own loop alive while it waits. */
  async function settled<T>(promise: Promise<T>): Promise<T> {
    const keepAlive = setInterval(() => {}, 1_000);
    try {
      return await promise;
    } finally {
      clearInterval(keepAlive);
    }
  }

  const limits = { maxSteps: 4, maxTotalTokens: 100_000, toolTimeoutMs: 1_000, turnDeadlineMs: 5 };
  const input = (signal: AbortSignal, deadlines?: RequestAbort) => ({
    route: 'demo',
    messages: [{ role: 'user' as const, content: 'hi' }],
    request: {},
    tools: { definitions: [], byName: new Map() } as never,
    limits,
    hints: {},
    options: {},
    signal,
    deadlines,
    stream: false,
    modelCalled: () => {},
  });
  /** A model call that answers only when its signal aborts, with the signal's reason: what a stuck upstream does. */
  const stuckRouter = (seen: AbortSignal[]): AgentRouter => ({
    call: (_route, _request, signal) => {
      seen.push(signal);
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    },
    stream: () => {
      throw new Error('not streamed');
    },
  });

  it('the tool loop arms its turn deadline on the request signal: its calls take that very signal, and a timeout is turn_deadline_exceeded', async () => {
    const abort = new RequestAbort();
    const seen: AbortSignal[] = [];
    await assert.rejects(settled(runAgentLoop(stuckRouter(seen), input(abort.signal, abort) as never)), (error) => isSwitchboardError(error) && error.code === 'turn_deadline_exceeded');
    assert.equal(seen[0], abort.signal, 'no second controller: the model call got the request signal');
    assert.equal(abort.clientGone, false);
  });

  it('a client leaving during the loop is no deadline (the caller sees the abort, not turn_deadline_exceeded)', async () => {
    const abort = new RequestAbort();
    const seen: AbortSignal[] = [];
    const running = runAgentLoop(stuckRouter(seen), { ...input(abort.signal, abort), limits: { ...limits, turnDeadlineMs: 60_000 } } as never);
    abort.clientLeft(new Error('client disconnected'));
    await assert.rejects(settled(running), (error) => !isSwitchboardError(error) && (error as Error).message === 'client disconnected');
  });

  it('without a source (or with one for another signal) the loop links a controller of its own', async () => {
    const parent = new AbortController();
    const other = new RequestAbort();
    const seen: AbortSignal[] = [];
    await assert.rejects(settled(runAgentLoop(stuckRouter(seen), input(parent.signal, other) as never)), (error) => isSwitchboardError(error) && error.code === 'turn_deadline_exceeded');
    assert.notEqual(seen[0], parent.signal);
    assert.equal(other.signal.aborted, false, "another request's signal is left alone");
    assert.equal(other.armDeadline(1_000) !== undefined, true, 'and its deadline was disposed');
    other.dispose();
  });
});
