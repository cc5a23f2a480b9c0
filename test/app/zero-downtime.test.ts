/**
 * Changing models without downtime, under continuous streamed load over real HTTP and the
 * built-in simulators: a rolling update (add the v2 instance, move the weight to it, remove v1)
 * by three reloads, and a rollout through an experiment's ramp (10 % → 50 % → 100 %, promoted)
 * followed by a reload that removes v1. Zero lost requests is the invariant checked: every
 * request answered 200 and its stream ended properly. Each phase waits for a count of requests,
 * never for a time.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { startHttpServer, type SwitchboardServer } from '../../src/server/http-server.js';
import { eventually } from '../experiments/experiment-fixtures.js';
import { startStreamedLoad, type LoadOutcome, type StreamedLoad } from './streamed-load.js';

const loops = 6;

function baseConfig(pools: ConfigInput['pools'], extra: Partial<ConfigInput> = {}): ConfigInput {
  return {
    logging: { level: 'silent' },
    auth: { cacheTtlMs: 0 },
    simulator: { instances: 2, ttftMs: 10, itlMs: 3, outputTokens: 10, seed: 11 },
    pools,
    routes: { assistant: { pool: Object.keys(pools)[0]! } },
    agents: { helper: { route: 'assistant', systemPrompt: 'Help.', maxTokens: 12 } },
    intent: { defaultAgent: 'helper' },
    experimentSync: { refreshMs: 50, flushMs: 20 },
    ...extra,
  };
}

function assertNoneLost(outcomes: LoadOutcome[]): void {
  const lost = outcomes.filter((outcome) => !outcome.complete);
  assert.equal(lost.length, 0, `${lost.length} of ${outcomes.length} requests lost: ${JSON.stringify(lost.slice(0, 3))}`);
}

describe('changing models without downtime', () => {
  let directory: string;
  let runtime: Runtime | undefined;
  let server: SwitchboardServer | undefined;
  let load: StreamedLoad | undefined;

  afterEach(async () => {
    await load?.stop();
    await server?.shutdown(2_000);
    await runtime?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function start(config: ConfigInput): Promise<{ path: string; key: string; reload: (next: ConfigInput) => Promise<void> }> {
    directory = mkdtempSync(join(tmpdir(), 'switchboard-zero-downtime-'));
    const path = join(directory, 'switchboard.yaml');
    writeFileSync(path, stringify(config));
    runtime = await createRuntime(loadConfigFile(path), { dataDir: directory, logger: pino({ level: 'silent' }), defaultMetrics: false, configSource: { name: path, load: () => loadConfigFile(path) } });
    server = await startHttpServer(runtime, { port: 0, host: '127.0.0.1' });
    const { key } = await runtime.store.keys.create({ tenant: 'rollout', role: 'admin' });
    const reload = async (next: ConfigInput) => {
      writeFileSync(path, stringify(next));
      const report = await runtime!.reload();
      assert.equal(report.outcome, 'applied', report.message);
    };
    return { path, key, reload };
  }

  /** Waits until `count` more requests finished after now, `check` holding for them. */
  async function servedAfter(count: number, check: (outcome: LoadOutcome) => boolean = () => true): Promise<LoadOutcome[]> {
    const mark = load!.outcomes.length;
    return eventually(async () => {
      const later = load!.since(mark).filter(check);
      return later.length >= count ? later : undefined;
    }, `${count} requests`, 60_000);
  }

  it('rolls v1 out and v2 in by reloads: add v2, move the weight, drain and remove v1, losing no request', async (t) => {
    // Named, so an instance keeps its name when the one before it is removed.
    const v1 = { url: 'simulator://0', name: 'v1' };
    const v2 = { url: 'simulator://1', name: 'v2' };
    const pool = (instances: { url: string; name: string; weight?: number }[]) => ({ assistant: { model: 'model', balancer: 'weighted' as const, instances } });
    const { key, reload } = await start(baseConfig(pool([v1])));
    // Clients see instances by name (x-switchboard-instance, the turn's route), not by URL.
    const [sim1, sim2] = [v1.name, v2.name];
    load = startStreamedLoad(server!.url, key, loops);
    await servedAfter(20);
    const first = runtime!.current;
    await reload(baseConfig(pool([v1, v2])));
    await servedAfter(10, (outcome) => outcome.servedBy === sim2);
    await reload(baseConfig(pool([{ ...v1, weight: 1 }, { ...v2, weight: 50 }])));
    await servedAfter(20);
    const third = runtime!.current;
    await reload(baseConfig(pool([v2])));
    // Drained: the generations that had v1 close once their last request has ended.
    await eventually(async () => (first.closed && third.closed ? true : undefined), 'the retired generations to close', 60_000);
    const last = await servedAfter(30);
    await load.stop();
    assert.ok(last.every((outcome) => outcome.servedBy === sim2), 'after v1 was removed only v2 answers');
    assert.ok(load.outcomes.some((outcome) => outcome.servedBy === sim1));
    assert.ok(load.outcomes.some((outcome) => outcome.kind === 'turn') && load.outcomes.some((outcome) => outcome.kind === 'chat'));
    assert.equal(runtime!.current.number, 4);
    t.diagnostic(`rolling update: ${load.outcomes.length} streamed requests over 3 reloads, ${load.outcomes.filter((outcome) => !outcome.complete).length} lost`);
    assertNoneLost(load.outcomes);
  });

  it('rolls v2 out through an experiment\'s ramp to promotion, then removes v1 by a reload, losing no request', async (t) => {
    const pools = {
      v1: { model: 'model-v1', instances: [{ url: 'simulator://0' }] },
      v2: { model: 'model-v2', instances: [{ url: 'simulator://1' }] },
    };
    const rollout = {
      routes: ['assistant'],
      variants: { control: { weight: 1 }, candidate: { weight: 0, pool: 'v2' } },
      guardrails: [{ metric: 'error_rate', max: 0.5 }],
      ramp: { variant: 'candidate', steps: [0.1, 0.5, 1], minSamples: 8, dwellMs: 0 },
    };
    const { key, reload } = await start(baseConfig(pools, { experiments: { rollout } }));
    const [sim1, sim2] = ['v1-0', 'v2-0'];
    load = startStreamedLoad(server!.url, key, loops);
    const state = () => runtime!.current.experiments.monitor.stateOf('rollout');
    await eventually(async () => (state().status === 'promoted' ? true : undefined), 'the ramp to promote the candidate', 90_000);
    assert.equal(state().promoted, 'candidate');
    assert.deepEqual(
      state().history.filter((entry) => entry.event.startsWith('ramp')).map((entry) => entry.event),
      ['ramp started: candidate at 10%', 'ramp step 2/3: candidate at 50%', 'ramp step 3/3: candidate at 100%', 'ramp complete: candidate promoted to 100%'],
    );
    const promoted = await servedAfter(20, (outcome) => outcome.kind === 'chat');
    assert.ok(promoted.every((outcome) => outcome.servedBy === sim2), 'promoted: every completion goes to v2');
    const ramped = runtime!.current;
    await reload(baseConfig({ v2: pools.v2 }));
    await eventually(async () => (ramped.closed ? true : undefined), 'the ramped generation to close', 60_000);
    const last = await servedAfter(20);
    await load.stop();
    assert.ok(last.every((outcome) => outcome.servedBy === sim2));
    assert.ok(load.outcomes.some((outcome) => outcome.servedBy === sim1), 'v1 served before the rollout');
    t.diagnostic(`ramp rollout: ${load.outcomes.length} streamed requests through 3 ramp steps and 1 reload, ${load.outcomes.filter((outcome) => !outcome.complete).length} lost`);
    assertNoneLost(load.outcomes);
  });
});
