/**
 * Many instances, nothing lost: three `switchboard serve` processes on one DynamoDB store (Amazon's DynamoDB
 * Local, started by this file) and one Redis for rate limits. A client drives conversations across them, retrying on
 * another instance with the same Idempotency-Key, while one process is killed (SIGKILL) or drained
 * (SIGTERM) in the middle of turns. Then every session must hold each acknowledged turn exactly once.
 */

import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startCli, waitForExit } from '../support/cli.js';
import { dynamoDbLocalCredentialsEnv, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { connectTestRedis, deleteKeysUnder, testRedisUrl, uniqueKeyPrefix } from '../support/redis-test-server.js';
import { runCliAsync } from '../support/run-cli-async.js';
import { ClusterClient, send, type TurnOutcome } from './cluster-client.js';

const sessionsPerRun = 20;
const turnsPerSession = 5;
const limitedRequestsPerMinute = 30;

const redis = await connectTestRedis();
const workDir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-'));
const children = new Set<ChildProcessWithoutNullStreams>();
// One DynamoDB Local for the file: each cluster has its own table in it.
const dynamoDb: DynamoDbLocal = await startDynamoDbLocal();
const prefixes: string[] = [];
after(async () => {
  // Whatever happened, no process outlives the file.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await dynamoDb.close();
  for (const prefix of prefixes) await deleteKeysUnder(redis, prefix);
  await redis.quit();
  rmSync(workDir, { recursive: true, force: true });
});

interface Cluster {
  urls: string[];
  processes: ChildProcessWithoutNullStreams[];
  conversationKey: string;
  limitedKey: string;
  output: (() => string)[];
}

async function startCluster(label: string): Promise<Cluster> {
  const keyPrefix = uniqueKeyPrefix(label);
  prefixes.push(keyPrefix);
  const configPath = join(workDir, `${label}.yaml`);
  writeFileSync(
    configPath,
    `simulator: { instances: 1, ttftMs: 150, itlMs: 10, outputTokens: 20 }
store: { kind: dynamodb, table: switchboard-${label}, region: us-east-1, endpoint: "${dynamoDb.endpoint}", maxAttempts: 3 }
redis: { url: "${testRedisUrl}", keyPrefix: "${keyPrefix}" }
limits:
  backend: redis
  tiers:
    limited: { requestsPerMinute: ${limitedRequestsPerMinute} }
pools:
  sim: { model: sim, instances: [{ url: "simulator://0" }] }
routes:
  demo: { pool: sim }
agents:
  helper: { route: demo }
intent: { defaultAgent: helper }
server: { drainTimeoutMs: 15000 }
logging: { level: warn }
`,
  );
  const env = { ...dynamoDbLocalCredentialsEnv };
  const init = await runCliAsync(['store', 'init', '--config', configPath], { env });
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, new RegExp(`Created DynamoDB table switchboard-${label} .*TTL enabled on expiresAt`));
  const again = await runCliAsync(['store', 'init', '--config', configPath], { env });
  assert.match(again.stdout, /already exists/);
  const conversation = await runCliAsync(['keys', 'create', '--tenant', 'conversations', '--config', configPath], { env });
  const limited = await runCliAsync(['keys', 'create', '--tenant', 'limited', '--tier', 'limited', '--config', configPath], { env });
  assert.equal(conversation.code, 0, conversation.stderr);
  assert.equal(limited.code, 0, limited.stderr);

  const started = await Promise.all(
    Array.from({ length: 3 }, () =>
      startCli(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1'], /listening on (http:\/\/\S+)/, { env, timeoutMs: 20_000 }),
    ),
  );
  for (const { child } of started) children.add(child);
  return {
    urls: started.map(({ match }) => match[1]!),
    processes: started.map(({ child }) => child),
    conversationKey: conversation.stdout.trim(),
    limitedKey: limited.stdout.trim(),
    output: started.map(({ output }) => output),
  };
}

async function createSessions(client: ClusterClient, apiKey: string): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < sessionsPerRun; index++) {
    const response = await send(client.urls[client.pick()]!, 'POST', '/v1/sessions', { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, '{}');
    assert.equal(response.status, 201, response.body);
    ids.push((JSON.parse(response.body) as { id: string }).id);
  }
  return ids;
}

interface LoadReport {
  acknowledged: Map<string, string[]>;
  outcomes: TurnOutcome[];
  hedgedPairs: number;
  resent: number;
}

/**
 * Every session runs its turns one after another, all sessions at once. Odd turns stream. Turn 2 of
 * every fourth session is sent to two instances at the same moment with the same key, as a client
 * whose first attempt only seemed lost would; turn 3 of every fifth is sent again to another instance
 * after its answer came, as a client whose answer was lost would.
 */
async function driveConversations(client: ClusterClient, apiKey: string, sessionIds: string[], onProgress: (acknowledged: number) => void): Promise<LoadReport> {
  const acknowledged = new Map<string, string[]>();
  const outcomes: TurnOutcome[] = [];
  let hedgedPairs = 0;
  let resent = 0;
  let total = 0;
  await Promise.all(
    sessionIds.map(async (sessionId, sessionIndex) => {
      const contents: string[] = [];
      acknowledged.set(sessionId, contents);
      for (let turn = 0; turn < turnsPerSession; turn++) {
        const request = { apiKey, sessionId, content: `session ${sessionIndex} turn ${turn}: where is my order ${1000 + turn}?`, idempotencyKey: `${sessionId}-turn-${turn}`, stream: turn % 2 === 1 };
        let result: TurnOutcome;
        if (turn === 2 && sessionIndex % 4 === 0) {
          hedgedPairs++;
          const pair = await Promise.all([client.turn(request), client.turn(request)]);
          assert.equal(pair[0].version, pair[1].version, `both copies of ${request.idempotencyKey} got the same answer`);
          outcomes.push(...pair);
          result = pair[0];
        } else {
          result = await client.turn(request);
          outcomes.push(result);
        }
        assert.equal(result.version, turn + 1, `${request.idempotencyKey} acknowledged at version ${result.version}`);
        if (turn === 3 && sessionIndex % 5 === 0) {
          resent++;
          const again = await client.turn(request);
          assert.equal(again.version, turn + 1, `${request.idempotencyKey} sent again got version ${again.version}`);
          assert.equal(again.deduplicated, true, `${request.idempotencyKey} sent again was answered from the stored result`);
          outcomes.push(again);
        }
        contents.push(request.content);
        onProgress(++total);
      }
    }),
  );
  return { acknowledged, outcomes, hedgedPairs, resent };
}

/** Each acknowledged turn present exactly once, whole (user then assistant), in order, and nothing else. */
async function checkSessions(client: ClusterClient, apiKey: string, acknowledged: Map<string, string[]>): Promise<void> {
  for (const [sessionId, contents] of acknowledged) {
    const session = await client.getSession(apiKey, sessionId);
    assert.equal(session.version, contents.length, `${sessionId}: version ${session.version} for ${contents.length} acknowledged turns`);
    assert.equal(session.messages.length, contents.length * 2, `${sessionId}: ${session.messages.length} messages for ${contents.length} turns`);
    session.messages.forEach((message, index) => {
      assert.equal(message.role, index % 2 === 0 ? 'user' : 'assistant', `${sessionId}: message ${index} is ${message.role}: a half-written turn`);
      if (message.role === 'assistant') assert.ok(message.content.length > 0, `${sessionId}: empty reply at ${index}`);
    });
    const userContents = session.messages.filter((message) => message.role === 'user').map((message) => message.content);
    assert.deepEqual(userContents, contents, `${sessionId}: each acknowledged turn exactly once, in order`);
  }
}

function summarize(report: LoadReport, client: ClusterClient) {
  const retried = report.outcomes.filter((outcome) => outcome.attempts.length > 1).length;
  const byOutcome: Record<string, number> = {};
  for (const attempt of client.attempts) byOutcome[attempt.outcome] = (byOutcome[attempt.outcome] ?? 0) + 1;
  return {
    turnsAcknowledged: [...report.acknowledged.values()].reduce((sum, contents) => sum + contents.length, 0),
    requestsSent: client.attempts.length,
    turnsRetried: retried,
    duplicatesPrevented: report.outcomes.filter((outcome) => outcome.deduplicated).length,
    settledByRead: report.outcomes.filter((outcome) => outcome.settledByRead).length,
    hedgedPairs: report.hedgedPairs,
    resentAfterAnswer: report.resent,
    attemptsByOutcome: byOutcome,
  };
}

/** The server, not the client's re-read after a 409, answered every repeated key with the stored result. */
function assertDeduplicated(summary: ReturnType<typeof summarize>, report: LoadReport): void {
  assert.equal(summary.settledByRead, 0, 'a repeated Idempotency-Key was answered 409 instead of with the stored result');
  // One copy of each hedged pair commits and the other gets the stored answer; so does every resend.
  assert.ok(summary.duplicatesPrevented >= report.hedgedPairs + report.resent, `${summary.duplicatesPrevented} duplicates prevented for ${report.hedgedPairs} hedged pairs and ${report.resent} resends`);
}

/** Resolves once `victim` has at least `count` turns in flight and `ready()` holds, polling; the kill must land mid-turn. */
async function waitForTurnsInFlight(client: ClusterClient, victim: number, count: number, ready: () => boolean): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (ready() && client.inFlight[victim]! >= count) return client.inFlight[victim]!;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the victim never had turns in flight');
}

// A guard against a hang, not a target: three servers and DynamoDB Local share two cores with the rest of the suite.
describe('many instances on one shared store', { timeout: 240_000 }, () => {
  it('loses no acknowledged turn and writes none twice when an instance is SIGKILLed mid-turn; the rate limit holds across instances', async () => {
    const cluster = await startCluster('kill');
    const client = new ClusterClient(cluster.urls);

    // The limited tenant sends twice its per-minute budget spread over the three instances, in two bursts.
    // The first (8 per instance, within the budget) must all pass, so each instance has served some; the
    // second (12 per instance) may only use what is left of one shared budget, not a budget per instance.
    // Which instance wins a race for the last tokens is the scheduler's business, so only the sum is checked.
    const firstBurstPerInstance = 8;
    const sendLimited = (count: number, offset: number) =>
      Promise.all(
        Array.from({ length: count }, (_, index) =>
          send(cluster.urls[index % 3]!, 'POST', '/v1/chat/completions', { authorization: `Bearer ${cluster.limitedKey}`, 'content-type': 'application/json' }, JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: `hi ${offset + index}` }], max_tokens: 4 })),
        ),
      );
    const burstsStarted = performance.now();
    const firstBurst = await sendLimited(firstBurstPerInstance * 3, 0);
    assert.deepEqual(firstBurst.map((response) => response.status), firstBurst.map(() => 200), 'a burst within the budget is served in full on every instance');
    const secondBurst = await sendLimited(limitedRequestsPerMinute * 2 - firstBurst.length, firstBurst.length);
    // The bucket refills at 30/min while the bursts are served; on a loaded machine that is seconds.
    const refilled = Math.ceil(((performance.now() - burstsStarted) / 60_000) * limitedRequestsPerMinute) + 1;
    const limitedResults = [...firstBurst, ...secondBurst];
    const admitted = limitedResults.filter((response) => response.status === 200).length;
    const refused = limitedResults.filter((response) => response.status === 429);
    assert.equal(admitted + refused.length, limitedRequestsPerMinute * 2, 'every request was either served or refused with 429');
    // One shared budget: about 30 in total (plus what refilled meanwhile), not 30 per instance.
    assert.ok(admitted >= limitedRequestsPerMinute && admitted <= limitedRequestsPerMinute + refilled, `${admitted} of 60 admitted under a shared limit of 30/min (${refilled} refilled during the bursts)`);
    for (const response of refused) assert.ok(Number(response.headers['retry-after']) >= 1, 'a 429 carries Retry-After');

    const sessionIds = await createSessions(client, cluster.conversationKey);
    let acknowledgedSoFar = 0;
    const victim = 1;
    const load = driveConversations(client, cluster.conversationKey, sessionIds, (count) => (acknowledgedSoFar = count));
    const inFlightAtKill = await waitForTurnsInFlight(client, victim, 2, () => acknowledgedSoFar >= 25);
    cluster.processes[victim]!.kill('SIGKILL');
    const report = await load;
    assert.deepEqual(await waitForExit(cluster.processes[victim]!), { code: null, signal: 'SIGKILL' });

    await checkSessions(client, cluster.conversationKey, report.acknowledged);
    const summary = summarize(report, client);
    console.log(`SIGKILL run: ${JSON.stringify({ ...summary, inFlightOnVictimAtKill: inFlightAtKill, limitedAdmitted: admitted, limitedRefused: refused.length })}`);
    assert.equal(summary.turnsAcknowledged, sessionsPerRun * turnsPerSession);
    assert.ok(summary.turnsRetried >= 1, 'the turns in flight on the killed instance were retried elsewhere');
    assertDeduplicated(summary, report);
    for (const [index, child] of cluster.processes.entries()) if (index !== victim) child.kill('SIGTERM');
  });

  it('drains on SIGTERM mid-turn without any client seeing an error', async () => {
    const cluster = await startCluster('drain');
    const client = new ClusterClient(cluster.urls);
    const sessionIds = await createSessions(client, cluster.conversationKey);
    let acknowledgedSoFar = 0;
    const victim = 2;
    const load = driveConversations(client, cluster.conversationKey, sessionIds, (count) => (acknowledgedSoFar = count));
    await waitForTurnsInFlight(client, victim, 3, () => acknowledgedSoFar >= 25);
    // As Kubernetes does during the preStop sleep: the instance leaves the load balancer first, so no new
    // connection races the closing listener; the turns it already holds are what the drain must finish.
    client.down.add(victim);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const inFlightAtTerm = client.inFlight[victim]!;
    assert.ok(inFlightAtTerm >= 1, 'the instance still has turns in flight when SIGTERM comes');
    cluster.processes[victim]!.kill('SIGTERM');
    const report = await load;
    // Drained, not cut: the process finished its turns and exited cleanly.
    assert.deepEqual(await waitForExit(cluster.processes[victim]!), { code: 0, signal: null });

    await checkSessions(client, cluster.conversationKey, report.acknowledged);
    const summary = summarize(report, client);
    console.log(`SIGTERM run: ${JSON.stringify({ ...summary, inFlightOnVictimAtTerm: inFlightAtTerm })}`);
    assert.equal(summary.turnsAcknowledged, sessionsPerRun * turnsPerSession);
    assertDeduplicated(summary, report);
    const failures = client.attempts.filter((attempt) => attempt.outcome !== 'acknowledged');
    assert.deepEqual(failures, [], 'no request failed or had to be retried');
    assert.equal(summary.turnsRetried, 0);
    const servedByVictim = client.attempts.filter((attempt) => attempt.instance === victim && attempt.outcome === 'acknowledged').length;
    assert.ok(servedByVictim >= inFlightAtTerm, `the draining instance completed its ${inFlightAtTerm} in-flight turns (served ${servedByVictim})`);
    for (const [index, child] of cluster.processes.entries()) if (index !== victim) child.kill('SIGTERM');
    for (const [index, child] of cluster.processes.entries()) if (index !== victim) assert.deepEqual(await waitForExit(child), { code: 0, signal: null });
  });
});
