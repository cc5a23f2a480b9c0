/**
 * Reloading the config without downtime: an admin's POST /v1/admin/reload reads the file again,
 * applies a valid change as a new generation, refuses a bad file or a restart-only change by
 * name while the old config keeps serving, reports it on /metrics, and keeps experiments' live
 * state (it lives in the store) across the swap.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import { restartOnlyChanges } from '../../src/app/config-reload.js';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { loadConfigFile, parseConfig } from '../../src/config/load-config.js';
import { startHttpServer, type SwitchboardServer } from '../../src/server/http-server.js';
import { authHeaders, testConfig } from '../support/test-server.js';
import { getJson, modelExperiment, newSession, postJson, turn, twoPoolConfig, type ExperimentBody } from '../experiments/experiment-fixtures.js';

function configFile(overrides: Partial<ConfigInput> = {}, experiments: ConfigInput['experiments'] = {}): ConfigInput {
  return { ...testConfig(), ...twoPoolConfig(experiments), ...overrides } as ConfigInput;
}

async function metricValue(url: string, line: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = line.exec(text);
  return match ? Number(match[1]) : undefined;
}

describe('config reload', () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-reload-'));
  const path = join(directory, 'switchboard.yaml');
  let runtime: Runtime;
  let server: SwitchboardServer;
  let admin: string;
  let user: string;
  const write = (config: unknown) => writeFileSync(path, typeof config === 'string' ? config : stringify(config));
  const reload = () => postJson<{ outcome: string; generation: number; pools_added: string[]; pools_removed: string[]; error?: { code: string; message: string } }>(`${server.url}/v1/admin/reload`, admin, undefined);

  before(async () => {
    write(configFile({}, { 'model-v2': modelExperiment() }));
    runtime = await createRuntime(loadConfigFile(path), {
      dataDir: directory,
      logger: pino({ level: 'silent' }),
      defaultMetrics: false,
      configSource: { name: path, load: () => loadConfigFile(path) },
    });
    server = await startHttpServer(runtime, { port: 0, host: '127.0.0.1' });
    ({ key: admin } = await runtime.store.keys.create({ tenant: 'ops', role: 'admin' }));
    ({ key: user } = await runtime.store.keys.create({ tenant: 'ops', role: 'user' }));
  });
  after(async () => {
    await server.shutdown(1_000);
    await runtime.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('is for admin keys only', async () => {
    const reply = await postJson<{ error: { code: string } }>(`${server.url}/v1/admin/reload`, user, undefined);
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error.code, 'permission_denied');
  });

  it('does nothing when the file did not change, and applies a change as a new generation', async () => {
    const unchanged = await reload();
    assert.equal(unchanged.status, 200);
    assert.equal(unchanged.body.outcome, 'unchanged');
    assert.equal(unchanged.body.generation, 1);
    const next = configFile({}, { 'model-v2': modelExperiment() });
    next.pools!.v3 = { model: 'model-three', instances: [{ url: 'simulator://0' }] };
    next.routes!.fast = { pool: 'v3' };
    write(next);
    const applied = await reload();
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal(applied.body.outcome, 'applied');
    assert.equal(applied.body.generation, 2);
    assert.deepEqual(applied.body.pools_added, ['v3']);
    const models = await getJson<{ data: { id: string }[] }>(`${server.url}/v1/models`, user);
    assert.deepEqual(models.body.data.map((model) => model.id).filter((id) => !id.startsWith('agent:')).sort(), ['assistant', 'fast'], 'the new config\'s routes (the agents follow them)');
    assert.equal(await metricValue(server.url, /^switchboard_config_generation (\d+)$/m), 2);
    assert.equal(await metricValue(server.url, /^switchboard_config_reloads_total\{outcome="applied"\} (\d+)$/m), 1);
  });

  it('refuses an invalid file, naming the field, and keeps serving the current config', async () => {
    write(configFile({ routes: { assistant: { pool: 'v9' } } }));
    const refused = await reload();
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error!.code, 'invalid_config');
    assert.match(refused.body.error!.message, /routes\.assistant\.pool: unknown pool "v9"/);
    write('pools: [this is: not: yaml');
    const unreadable = await reload();
    assert.equal(unreadable.status, 422);
    assert.match(unreadable.body.error!.message, /not valid YAML/);
    assert.equal(runtime.current.number, 2);
    const answer = await turn(server.url, user, await newSession(server.url, user));
    assert.equal(answer.status, 200);
    assert.equal(await metricValue(server.url, /^switchboard_config_reloads_total\{outcome="invalid"\} (\d+)$/m), 2);
  });

  it('refuses a change to a restart-only section, naming it', async () => {
    write(configFile({ server: { port: 9999 }, limits: { maxInFlight: 5 } }));
    const refused = await reload();
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error!.code, 'restart_required');
    assert.match(refused.body.error!.message, /server\.port, limits\.maxInFlight/);
    assert.equal(runtime.current.number, 2);
    assert.deepEqual(restartOnlyChanges(parseConfig(configFile()), parseConfig(configFile({ logging: { level: 'debug' }, sessions: { historyWindow: 3 } }))), ['logging.level']);
  });

  it('keeps an experiment\'s live state across a reload: it lives in the store', async () => {
    const stop = await postJson<ExperimentBody>(`${server.url}/v1/experiments/model-v2/stop`, admin, { variant: 'candidate' });
    assert.equal(stop.status, 200);
    write(configFile({}, { 'model-v2': { ...modelExperiment(), description: 'now described' } }));
    const applied = await reload();
    assert.equal(applied.body.outcome, 'applied');
    assert.equal(applied.body.generation, 3);
    assert.deepEqual(applied.body.pools_removed, ['v3']);
    const view = await getJson<ExperimentBody & { description: string }>(`${server.url}/v1/experiments/model-v2`, user);
    assert.equal(view.body.description, 'now described');
    assert.equal(view.body.variants.find((variant) => variant.name === 'candidate')!.stopped!.by, 'admin');
    for (let index = 0; index < 6; index++) {
      const answer = await turn(server.url, user, await newSession(server.url, user));
      assert.equal(answer.body.route.pool, 'v1');
    }
    const headers = authHeaders(user);
    assert.equal((await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }) })).status, 404);
  });
});
