/** Configs and clients the experiment tests share: two simulator pools behind one route, an experiment over them, and small HTTP helpers. */

import type { ConfigInput } from '../../src/config/config-schema.js';
import { authHeaders, readSse, testConfig } from '../support/test-server.js';

/** Pools v1 (simulator 0) and v2 (simulator 1) behind route `assistant`; agent `helper` answers on it. */
export function twoPoolConfig(experiments: ConfigInput['experiments'] = {}, overrides: Partial<ConfigInput> = {}): Partial<ConfigInput> {
  const base = testConfig();
  return {
    simulator: base.simulator,
    pools: {
      v1: { model: 'model-one', instances: [{ url: 'simulator://0' }], prices: { inputPerMillionTokens: 1, outputPerMillionTokens: 2 } },
      v2: { model: 'model-two', instances: [{ url: 'simulator://1' }], retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 }, breaker: { minimumCalls: 1000 }, prices: { inputPerMillionTokens: 3, outputPerMillionTokens: 6 } },
    },
    routes: { assistant: { pool: 'v1' } },
    agents: { helper: { route: 'assistant', systemPrompt: 'Help.', maxTokens: 16 } },
    intent: { defaultAgent: 'helper' },
    experiments,
    experimentSync: { refreshMs: 50, flushMs: 20 },
    ...overrides,
  };
}

/** A 50/50 experiment on route `assistant`: control stays on v1, candidate goes to v2 with another upstream model name. */
export function modelExperiment(extra: Record<string, unknown> = {}): NonNullable<ConfigInput['experiments']>[string] {
  return {
    routes: ['assistant'],
    variants: { control: { weight: 0.5 }, candidate: { weight: 0.5, pool: 'v2', model: 'model-two-b' } },
    minSamples: 10,
    ...extra,
  };
}

export interface TurnAnswer {
  status: number;
  body: {
    turn_id: string;
    session_id: string;
    route: { pool: string };
    experiments: { experiment: string; variant: string; counted: boolean }[];
    error?: { code: string };
  };
}

export async function newSession(url: string, key: string): Promise<string> {
  const response = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: authHeaders(key), body: '{}' });
  return ((await response.json()) as { id: string }).id;
}

/** One turn, streamed or not; a streamed one is read to its `done` event. */
export async function turn(url: string, key: string, session: string, options: { stream?: boolean; content?: string } = {}): Promise<TurnAnswer> {
  const response = await fetch(`${url}/v1/sessions/${session}/messages`, {
    method: 'POST',
    headers: authHeaders(key),
    body: JSON.stringify({ content: options.content ?? 'hello there', stream: options.stream === true }),
  });
  if (!options.stream || response.status !== 200) return { status: response.status, body: (await response.json()) as TurnAnswer['body'] };
  const events = await readSse(response);
  const done = events.find((event) => event.event === 'done');
  if (!done) return { status: 599, body: { error: { code: events.find((event) => event.event === 'error')?.data ?? 'no done event' } } as TurnAnswer['body'] };
  return { status: 200, body: JSON.parse(done.data) as TurnAnswer['body'] };
}

export async function getJson<T>(url: string, key: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers: authHeaders(key) });
  return { status: response.status, body: (await response.json()) as T };
}

export async function postJson<T>(url: string, key: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method: 'POST', headers: authHeaders(key), body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

/** Polls `check` until it returns a value; a condition, not a timing: it fails only when the deadline (generous) passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface ExperimentBody {
  name: string;
  status: string;
  mode: string;
  decision: { kind: string; variant: string | null; reason: string };
  variants: { name: string; weight: number; active: boolean; requests: number; stopped: { by: string; reason: string } | null; metrics: Record<string, { count: number; mean: number }> }[];
  comparisons: { variant: string; metric: string; significant: boolean }[];
  guardrails: { variant: string; metric: string; breached: boolean }[];
  srm: { applicable: boolean; mismatch: boolean; observed: Record<string, number> };
  ramp: { step: number; status: string; share: number } | null;
  shadow: { spent_usd: number; mirroring: boolean } | null;
  history: { event: string }[];
}
