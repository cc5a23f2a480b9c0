import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/command.js';
import { loadOptionsFromFlags } from '../../src/cli/commands/loadtest-command.js';
import { startFixedLatencyServer } from './fixtures/fixed-latency-server.js';
import { runCliAsync as runCli } from '../support/run-cli-async.js';

test('loadtest CLI: runs against a server, prints the table, writes JSON and SVG', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [30, 60], tokens: 4, itlMs: 5, errorEvery: 10 });
  const folder = mkdtempSync(join(tmpdir(), 'switchboard-loadtest-'));
  try {
    const jsonPath = join(folder, 'result.json');
    const svgPath = join(folder, 'chart.svg');
    const { code, stdout, stderr } = await runCli(['loadtest', '--url', server.url, '--concurrency', '4', '--requests', '20', '--stream', '--json', jsonPath, '--svg', svgPath]);
    assert.equal(code, 0, stderr);
    // stderr is not a terminal here: no progress line.
    assert.equal(stderr, '');
    assert.match(stdout, /requests\s+20/);
    assert.match(stdout, /errors\s+2 \(500: 2\)/);
    assert.match(stdout, /TTFT\s+\d/);
    assert.match(stdout, /generator overhead: \d+ µs CPU per request, event-loop delay p99 [\d.]+ ms/);

    const result = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
    for (const field of ['version', 'startedAt', 'url', 'mode', 'stream', 'loop', 'durationS', 'requests', 'ok', 'errors', 'errorsByKind', 'throughputRps', 'goodputRps', 'peakInFlight', 'latencyMs', 'tokens', 'overhead', 'timeline', 'machine']) {
      assert.ok(field in result, `JSON has ${field}`);
    }
    assert.equal(result.version, 1);
    assert.equal(result.mode, 'chat');
    assert.equal(result.stream, true);
    assert.deepEqual(result.loop, { kind: 'closed', concurrency: 4 });
    assert.equal(result.requests, 20);
    assert.equal(result.ok, 18);
    assert.equal(result.errors, 2);
    assert.deepEqual(result.errorsByKind, { '500': 2 });
    assert.equal(result.peakInFlight, 4);
    const latency = result.latencyMs as Record<string, Record<string, number>>;
    for (const metric of ['ttft', 'itl', 'e2e']) {
      for (const statistic of ['p50', 'p90', 'p99', 'max', 'mean']) assert.equal(typeof latency[metric]?.[statistic], 'number', `${metric}.${statistic}`);
    }
    assert.deepEqual(Object.keys(result.tokens as object).sort(), ['perRequestMean', 'total']);
    assert.deepEqual(Object.keys(result.overhead as object).sort(), ['cpuMicrosPerRequest', 'eventLoopDelayP99Ms']);
    const timeline = result.timeline as Array<Record<string, unknown>>;
    assert.ok(timeline.length >= 1);
    assert.deepEqual(Object.keys(timeline[0]!).sort(), ['completed', 'e2eP50Ms', 'e2eP99Ms', 'inFlight', 'tS']);
    assert.deepEqual(Object.keys(result.machine as object).sort(), ['cpus', 'model', 'node']);

    const svg = readFileSync(svgPath, 'utf8');
    assert.ok(svg.startsWith('<svg'));
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.match(svg, /<g id="latency-chart">/);
    assert.match(svg, /<g id="in-flight-chart">/);
    assert.match(svg, />time \(s\)</);
    // Tags balance: every opened <g> and <svg> is closed.
    assert.equal((svg.match(/<g[ >]/g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await server.close();
  }
});

test('loadtest CLI: turn mode spike', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [40], tokens: 3, itlMs: 5 });
  try {
    const { code, stdout, stderr } = await runCli(['loadtest', '--url', server.url, '--mode', 'turn', '--spike', '30', '--stream']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /turn mode, streamed, spike of 30/);
    assert.match(stdout, /ok\s+30/);
    assert.equal(server.sessionsCreated, 30);
  } finally {
    await server.close();
  }
});

test('loadtest CLI: bad flags exit 2 with a one-line message', async () => {
  for (const args of [
    ['--concurrency', '0'],
    ['--rate', '5', '--concurrency', '3'],
    ['--mode', 'chatty'],
    ['--spike', '10', '--duration', '3'],
    ['--url', 'not a url'],
    ['--no-such-flag'],
  ]) {
    const { code, stdout, stderr } = await runCli(['loadtest', ...args]);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, /^switchboard loadtest: .+\n$/);
  }
});

test('flags map to load options; defaults are a closed loop of 10', () => {
  const defaults = loadOptionsFromFlags({}, {});
  assert.deepEqual(defaults.loop, { kind: 'closed', concurrency: 10 });
  assert.equal(defaults.url, 'http://127.0.0.1:8080');
  assert.equal(defaults.mode, 'chat');
  assert.equal(defaults.stream, false);
  const open = loadOptionsFromFlags({ rate: '12.5', poisson: true, seed: '9', key: 'k1', 'max-tokens': '64', duration: '3' }, {});
  assert.deepEqual(open.loop, { kind: 'open', rate: 12.5, poisson: true });
  assert.deepEqual([open.seed, open.apiKey, open.maxTokens, open.durationS], [9, 'k1', 64, 3]);
  assert.equal(loadOptionsFromFlags({}, { SWITCHBOARD_API_KEY: 'from-env' }).apiKey, 'from-env');
  assert.throws(() => loadOptionsFromFlags({ poisson: true }, {}), UsageError);
  assert.throws(() => loadOptionsFromFlags({ spike: '5', rate: '1' }, {}), /exclude each other/);
});
