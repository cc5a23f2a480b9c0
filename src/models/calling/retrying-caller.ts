/**
 * Retries within one pool: picks an instance per attempt (preferring untried ones), backs off
 * with full jitter, honours Retry-After as a cool-down on the instance, and waits briefly for an
 * instance held back only by a cool-down. A failure that is not retryable ends the whole call;
 * a spent pool is reported to the fallback caller as `PoolExhausted`.
 */

import type { ChatCallResult } from '../../chat/chat-types.js';
import { backoffDelayMs, sleep } from '../backoff.js';
import type { InstanceState } from '../instance-state.js';
import type { ModelPool } from '../model-pool.js';
import type { RouterObserver } from '../router-observer.js';
import { isUpstreamError, type UpstreamError } from '../upstream-error.js';
import type { ChatCaller, StreamStart } from './chat-caller.js';
import { toClientError } from './client-error.js';
import type { ModelCall } from './model-call.js';

/** Retry-After values past this are treated as this: a backend's odd answer must not bench an instance for hours. */
const maxCooldownMs = 5 * 60_000;

/** The pool could not answer: every attempt failed retryably, or no instance could take the call. */
export class PoolExhausted extends Error {
  override readonly name = 'PoolExhausted';
  constructor(readonly lastError: UpstreamError | undefined) {
    super('pool exhausted');
  }
}

type Next<T> = (call: ModelCall) => Promise<T>;

export class RetryingCaller implements ChatCaller {
  readonly #next: ChatCaller;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #observer: RouterObserver | undefined;
  // Bound once, so a call allocates no closure for its attempts.
  readonly #callNext: Next<ChatCallResult>;
  readonly #streamNext: Next<StreamStart>;

  constructor(next: ChatCaller, options: { random: () => number; now: () => number; observer?: RouterObserver }) {
    this.#next = next;
    this.#observer = options.observer;
    this.#random = options.random;
    this.#now = options.now;
    this.#callNext = (call) => this.#next.call(call);
    this.#streamNext = (call) => this.#next.stream(call);
  }

  call(call: ModelCall): Promise<ChatCallResult> {
    return this.#attempts(call, this.#callNext);
  }

  stream(call: ModelCall): Promise<StreamStart> {
    return this.#attempts(call, this.#streamNext);
  }

  async #attempts<T>(call: ModelCall, next: Next<T>): Promise<T> {
    const pool = call.pool!;
    const { retry } = pool.config;
    const { balance, decision, signal } = call;
    balance.affinityKey = affinityKey(pool, call);
    const model = call.plan.models?.get(pool.name) ?? pool.config.model;
    call.upstreamRequest = { ...call.request, model };
    const tried: InstanceState[] = [];
    let lastError: UpstreamError | undefined;
    let cooldownWaits = 0;
    for (let attemptNumber = 1; attemptNumber <= retry.attempts; ) {
      balance.now = this.#now();
      const instance = pool.pick(balance, tried, call.lastPool);
      if (!instance) {
        // Held back only by a backend's Retry-After, and not for long: wait for it rather than give the pool up.
        const waitMs = pool.cooldownWaitMs(balance.now);
        if (waitMs > retry.maxDelayMs || cooldownWaits++ >= retry.attempts) break;
        await sleep(backoffDelayMs(attemptNumber, retry, this.#random, waitMs + 1), signal);
        continue;
      }
      tried.push(instance);
      call.instance = instance;
      decision.pool = pool.name;
      decision.instance = instance.name;
      decision.model = model;
      decision.attempts++;
      try {
        return await next(call);
      } catch (error) {
        if (signal.aborted) throw signal.reason ?? error;
        if (!isUpstreamError(error) || !error.retryable) throw toClientError(error);
        lastError = error;
        if (error.retryAfterMs !== undefined) instance.coolingUntil = this.#now() + Math.min(error.retryAfterMs, maxCooldownMs);
      }
      if (attemptNumber++ < retry.attempts) {
        this.#observer?.retrying?.(decision.route, pool.name, lastError!);
        await sleep(backoffDelayMs(attemptNumber - 1, retry, this.#random), signal);
      }
    }
    throw new PoolExhausted(lastError);
  }
}

/** The configured header's value when the request has one, else the session id. */
function affinityKey(pool: ModelPool, call: ModelCall): string | undefined {
  const header = pool.config.affinity.header;
  if (header !== undefined) {
    const value = call.hints?.headers?.header(header);
    if (value) return value;
  }
  return call.request.sessionId;
}
