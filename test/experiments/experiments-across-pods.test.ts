/**
 * Two Switchboard processes' worth of runtimes ("pods") over one shared store — a SQLite file,
 * a Redis, a DynamoDB table — each with its own simulators: a session gets the same variant on
 * either pod with no shared assignment state, both pods report the same numbers and decision, and
 * a guardrail breach seen through one pod stops the variant on the other.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { parseConfig } from '../../src/config/load-config.js';
import { startHttpServer, type SwitchboardServer } from '../../src/server/http-server.js';
import { createDynamoDbClient } from '../../src/stores/dynamodb/dynamodb-client.js';
import { ensureDynamoDbTable } from '../../src/stores/dynamodb/dynamodb-table.js';
import { dynamoDbLocalCredentialsEnv, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { testRedisUrl, uniqueKeyPrefix } from '../support/redis-test-server.js';
import { testConfig } from '../support/test-server.js';
import { eventually, getJson, modelExperiment, newSession, turn, twoPoolConfig, type ExperimentBody } from './experiment-fixtures.js';

interface Pod {
  runtime: Runtime;
  server: SwitchboardServer;
}

type StoreFactory = () => Promise<{ store: ConfigInput['store']; dataDir: string; cleanup: () => Promise<void> }>;

let dynamoDb: DynamoDbLocal | undefined;
after(async () => {
  await dynamoDb?.close();
});

const stores: Record<string, StoreFactory> = {
  sqlite: async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-pods-'));
    return { store: { kind: 'sqlite', path: join(dataDir, 'shared.db') }, dataDir, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  },
  redis: async () => ({ store: { kind: 'redis', url: testRedisUrl, keyPrefix: uniqueKeyPrefix('pods') }, dataDir: tmpdir(), cleanup: async () => {} }),
  dynamodb: async () => {
    Object.assign(process.env, dynamoDbLocalCredentialsEnv);
    dynamoDb ??= await startDynamoDbLocal();
    const table = `switchboard-pods-${randomBytes(4).toString('hex')}`;
    const client = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamoDb.endpoint });
    await ensureDynamoDbTable(client, table);
    client.destroy();
    return { store: { kind: 'dynamodb', table, region: 'us-east-1', endpoint: dynamoDb.endpoint }, dataDir: tmpdir(), cleanup: async () => {} };
  },
};

for (const [kind, openShared] of Object.entries(stores)) {
  describe(`experiments across two pods on one ${kind} store`, () => {
    const pods: Pod[] = [];
    let key: string;
    let cleanup: () => Promise<void>;

    before(async () => {
      const shared = await openShared();
      cleanup = shared.cleanup;
      const experiment = modelExperiment({ guardrails: [{ metric: 'error_rate', max: 0.2 }], guardrailMinSamples: 10 });
      // DynamoDB Local (a JVM) is slower to answer: the pods poll it less often.
      const experimentSync = kind === 'dynamodb' ? { refreshMs: 250, flushMs: 100 } : { refreshMs: 50, flushMs: 20 };
      const config = parseConfig({ ...testConfig(), ...twoPoolConfig({ 'model-v2': experiment }, { experimentSync }), store: shared.store });
      for (let index = 0; index < 2; index++) {
        const runtime = await createRuntime(config, { dataDir: shared.dataDir, logger: pino({ level: 'silent' }), defaultMetrics: false });
        pods.push({ runtime, server: await startHttpServer(runtime, { port: 0, host: '127.0.0.1' }) });
      }
      ({ key } = await pods[0]!.runtime.store.keys.create({ tenant: 'pods', role: 'admin' }));
    });
    after(async () => {
      for (const pod of pods) {
        await pod.server.shutdown(1_000);
        await pod.runtime.close();
      }
      await cleanup();
    });

    const read = async (pod: Pod) => (await getJson<ExperimentBody>(`${pod.server.url}/v1/experiments/model-v2`, key)).body;

    it('gives a session the same variant on either pod and reports the same numbers and decision from both', async () => {
      const [a, b] = pods as [Pod, Pod];
      const sessions = kind === 'dynamodb' ? 8 : 16;
      for (let index = 0; index < sessions; index++) {
        const session = await newSession(a.server.url, key);
        const first = await turn(a.server.url, key, session);
        const second = await turn(b.server.url, key, session);
        assert.equal(first.status, 200);
        assert.equal(second.status, 200);
        assert.equal(second.body.experiments[0]!.variant, first.body.experiments[0]!.variant, 'both pods hash the session to one variant');
      }
      await Promise.all(pods.map((pod) => pod.runtime.current.experiments.flush()));
      const [fromA, fromB] = await eventually(async () => {
        const views = [await read(a), await read(b)];
        // A monitor may write the state between the two reads; then they are read again.
        return JSON.stringify(views[0]) === JSON.stringify(views[1]) ? views : undefined;
      }, 'both pods to answer alike');
      assert.deepEqual(fromA, fromB);
      assert.equal(fromA!.variants.reduce((sum, variant) => sum + variant.requests, 0), 2 * sessions);
      assert.equal(fromA!.decision.kind, 'running');
    });

    it('stops a variant on every pod when its guardrail is breached through one', async () => {
      const [a, b] = pods as [Pod, Pod];
      // Pod A's candidate pool starts failing every call; only pod A takes traffic.
      a.runtime.simulators[1]!.configure({ errorRate: 1 });
      await eventually(async () => {
        await Promise.all(Array.from({ length: 8 }, async () => turn(a.server.url, key, await newSession(a.server.url, key))));
        await a.runtime.current.experiments.flush();
        return b.runtime.current.experiments.monitor.stateOf('model-v2').stopped.candidate;
      }, 'the guardrail to stop the candidate', 60_000);
      const stopped = (await read(b)).variants.find((variant) => variant.name === 'candidate')!.stopped!;
      assert.equal(stopped.by, 'guardrail');
      assert.match(stopped.reason, /error_rate ≤ 0.2/);
      // Pod B took no part, yet serves no session on the candidate from now on.
      for (let index = 0; index < 12; index++) {
        const answer = await turn(b.server.url, key, await newSession(b.server.url, key));
        assert.equal(answer.status, 200);
        assert.equal(answer.body.route.pool, 'v1');
        if (answer.body.experiments[0]!.counted) assert.equal(answer.body.experiments[0]!.variant, 'control');
      }
      const view = await read(b);
      assert.equal(view.decision.kind, 'stopped by guardrail');
      assert.ok(view.history.some((entry) => entry.event.startsWith('candidate stopped: guardrail error_rate ≤ 0.2 breached')));
    });
  });
}
