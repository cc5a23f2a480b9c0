import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad, type LoadOptions, type LoadProgress, type LoadResult } from '../../src/lab/load-generator.js';
import { formatLoadReport } from '../../src/lab/load-report.js';
import { renderLoadChartSvg } from '../../src/lab/load-chart-svg.js';
import { startFixedLatencyServer } from './fixtures/fixed-latency-server.js';
import { closedLoopbackPort } from '../support/closed-port.js';

// TTFT uniform over 100, 200, …, 1000 ms: over a multiple of ten requests each value occurs
// equally often, so the nearest-rank percentiles are known: p50 = 500, p90 = 900, p99 = 1000.
const TTFT_SET = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
const EARLY_TOLERANCE_MS = 2;

/**
 * Runs a load and bounds how late its measurements may be. A measurement is never early (a timer
 * never fires before its time), which the tests check exactly; how late it is depends on how busy
 * the machine is (client and fixture server share this event loop and the cores), so the only
 * late bound no scheduler can break is the run's own wall time: no request took longer than the run.
 */
async function runMeasured(options: LoadOptions): Promise<{ result: LoadResult; lateToleranceMs: number }> {
  const result = await runLoad(options);
  return { result, lateToleranceMs: result.durationS * 1000 };
}

function assertNear(measured: number | undefined, expected: number, lateToleranceMs: number, label: string): void {
  assert.ok(measured !== undefined, `${label} missing`);
  assert.ok(
    measured >= expected - EARLY_TOLERANCE_MS && measured <= expected + lateToleranceMs,
    `${label}: measured ${measured}, expected ${expected} (+${lateToleranceMs.toFixed(0)})`,
  );
}

test('streamed chat, closed loop: TTFT percentiles, ITL and tokens match the known distribution', async () => {
  // Gaps of 40 ms: end-to-end is 200 ms past TTFT, far more than loopback noise.
  const server = await startFixedLatencyServer({ ttftMs: TTFT_SET, tokens: 6, itlMs: 40 });
  try {
    // A first short run against a fast server warms up the JIT; its numbers are not checked.
    const warm = await startFixedLatencyServer({ ttftMs: [5], tokens: 6, itlMs: 1 });
    await runLoad({ url: warm.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 50 }, requests: 200 }).finally(() => warm.close());
    const progress: LoadProgress[] = [];
    const { result, lateToleranceMs: late } = await runMeasured({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 50 }, requests: 100, onProgress: (snapshot) => progress.push(snapshot), progressIntervalMs: 100 });
    assert.equal(result.requests, 100);
    assert.equal(result.ok, 100);
    assert.equal(result.errors, 0);
    assert.equal(server.arrivalsMs.length, 100);
    const ttft = result.latencyMs.ttft!;
    // Against the truth as the server saw it: each client TTFT is the server's plus loopback
    // and the client's own reads, so each order statistic is bounded the same way.
    const observed = [...server.observedTtftMs].sort((left, right) => left - right);
    assert.equal(observed.length, 100);
    const nearestRank = (quantile: number): number => observed[Math.ceil(quantile * observed.length) - 1]!;
    for (const [name, quantile] of [['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['max', 1]] as const) {
      assertNear(ttft[name], nearestRank(quantile), late, `TTFT ${name} against the server's account`);
    }
    // Against the configured distribution: never early, late by no more than the server's timers and the client.
    const configuredLate = late + server.worstTtftLatenessMs;
    assertNear(ttft.p50, 500, configuredLate, 'TTFT p50');
    assertNear(ttft.p90, 900, configuredLate, 'TTFT p90');
    assertNear(ttft.p99, 1000, configuredLate, 'TTFT p99');
    assertNear(ttft.max, 1000, configuredLate, 'TTFT max');
    assertNear(ttft.mean, 550, configuredLate, 'TTFT mean');
    // e2e = TTFT + 5 gaps of 40 ms.
    assertNear(result.latencyMs.e2e?.p50, 700, configuredLate, 'e2e p50');
    assertNear(result.latencyMs.e2e?.p99, 1200, configuredLate, 'e2e p99');
    // ITL spreads a request's lateness over its five gaps: a late first read shortens them, late timers lengthen them.
    const itl = result.latencyMs.itl!;
    assert.ok(itl.mean >= 40 - late / 5 - 1 && itl.mean <= 40 + configuredLate / 5 + 2, `ITL mean ${itl.mean}`);
    assert.equal(result.tokens.total, 600);
    assert.equal(result.tokens.perRequestMean, 6);
    assert.equal(result.peakInFlight, 50);
    assert.equal(result.loop.kind, 'closed');
    // 100 requests at 50 in flight, 0.3–1.2 s each: over a second of wall time, and throughput is ok / wall time.
    assert.ok(result.durationS >= 1.2, `duration ${result.durationS}`);
    assert.ok(Math.abs(result.throughputRps - 100 / result.durationS) < 0.5);
    assert.ok(result.goodputRps <= result.throughputRps);
    const completed = result.timeline.reduce((sum, point) => sum + point.completed, 0);
    assert.equal(completed, 100);
    assert.ok(result.timeline.some((point) => point.inFlight === 50));
    assert.ok(result.overhead.cpuMicrosPerRequest > 0);
    assert.ok(result.overhead.eventLoopDelayP99Ms >= 0);
    assert.ok(progress.length >= 2 && progress.at(-1)!.sent <= 100);
    const report = formatLoadReport(result);
    assert.match(report, /TTFT/);
    assert.match(report, /generator overhead: \d+ µs CPU per request, event-loop delay p99 [\d.]+ ms/);
  } finally {
    await server.close();
  }
});

test('goodput counts only requests within the TTFT target', async () => {
  // Half the requests take 20 ms to the first token, half 1000 ms; the target sits far from both.
  const server = await startFixedLatencyServer({ ttftMs: [20, 1000], tokens: 3, itlMs: 5 });
  try {
    const result = await runLoad({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 20 }, requests: 40, ttftTargetMs: 500, itlTargetMs: 1000 });
    assert.equal(result.ok, 40);
    // The slow half can never make the target (a reply is never earlier than the server's delay), so at most half is good;
    // the exact split from known timings is load-result.test.ts' job, where no clock is involved.
    assert.ok(result.goodputRps > 0 && result.goodputRps <= result.throughputRps / 2 + 0.001, `goodput ${result.goodputRps} of ${result.throughputRps}`);
    // A TTFT target below every TTFT leaves no good request at all.
    const strict = await runLoad({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 20 }, requests: 20, ttftTargetMs: 10, itlTargetMs: 1000 });
    assert.equal(strict.goodputRps, 0);
    assert.ok(strict.throughputRps > 0);
  } finally {
    await server.close();
  }
});

test('errors are counted by status and kept out of the latency percentiles', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [30], tokens: 3, itlMs: 5, errorEvery: 4, streamErrorEvery: 7, truncateEvery: 9 });
  try {
    const result = await runLoad({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 6 }, requests: 60 });
    // n % 4 → 500 (15); of the rest, n % 7 → stream error (7, 14, 21, 35, 42, 49), n % 9 → truncated (9, 18, 27, 45, 54; 36 is a 500).
    assert.equal(result.requests, 60);
    assert.deepEqual(result.errorsByKind, { '500': 15, stream_error: 6, truncated: 5 });
    assert.equal(result.errors, 26);
    assert.equal(result.ok, 34);
    assert.equal(result.latencyMs.e2e?.count, 34);
    assert.match(formatLoadReport(result), /500: 15/);
  } finally {
    await server.close();
  }
});

test('a JSON answer to a streamed request is a bad response, not a success', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [10], tokens: 2, itlMs: 2, ignoreStream: true });
  try {
    const result = await runLoad({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 2 }, requests: 4 });
    assert.deepEqual(result.errorsByKind, { bad_response: 4 });
  } finally {
    await server.close();
  }
});

test('the API key is sent as a bearer token', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [10], tokens: 2, itlMs: 2, apiKey: 'sk-right' });
  try {
    const right = await runLoad({ url: server.url, apiKey: 'sk-right', mode: 'chat', loop: { kind: 'closed', concurrency: 2 }, requests: 4 });
    assert.deepEqual([right.ok, right.errors], [4, 0]);
    const wrong = await runLoad({ url: server.url, apiKey: 'sk-wrong', mode: 'chat', loop: { kind: 'closed', concurrency: 2 }, requests: 4 });
    assert.deepEqual(wrong.errorsByKind, { '401': 4 });
  } finally {
    await server.close();
  }
});

test('not streamed: TTFT is the end-to-end latency and ITL is not reported', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [40, 80], tokens: 4, itlMs: 10 });
  try {
    const { result, lateToleranceMs: late } = await runMeasured({ url: server.url, mode: 'chat', loop: { kind: 'closed', concurrency: 4 }, requests: 20 });
    assert.equal(result.ok, 20);
    assert.equal(result.latencyMs.itl, null);
    assert.deepEqual(result.latencyMs.ttft, result.latencyMs.e2e);
    assertNear(result.latencyMs.e2e?.p50, 70, late, 'e2e p50');
    assertNear(result.latencyMs.e2e?.max, 110, late, 'e2e max');
    assert.equal(result.tokens.total, 80);
  } finally {
    await server.close();
  }
});

test('turn mode streams on one session per virtual user and measures TTFT from the first delta', async () => {
  const server = await startFixedLatencyServer({ ttftMs: TTFT_SET, tokens: 4, itlMs: 40 });
  try {
    const { result, lateToleranceMs: late } = await runMeasured({ url: server.url, mode: 'turn', stream: true, loop: { kind: 'closed', concurrency: 15 }, requests: 30 });
    assert.equal(result.ok, 30, JSON.stringify(result.errorsByKind));
    assert.equal(server.sessionsCreated, 15);
    assert.equal(result.tokens.total, 120);
    const configuredLate = late + server.worstTtftLatenessMs;
    assertNear(result.latencyMs.ttft?.p50, 500, configuredLate, 'turn TTFT p50');
    assertNear(result.latencyMs.ttft?.max, 1000, configuredLate, 'turn TTFT max');
    const itl = result.latencyMs.itl!;
    assert.ok(itl.mean >= 40 - late / 3 - 1 && itl.mean <= 40 + configuredLate / 3 + 2, `ITL mean ${itl.mean}`);
  } finally {
    await server.close();
  }
});

test('turn mode not streamed: tokens come from the reply usage, TTFT is end-to-end', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [30], tokens: 4, itlMs: 10 });
  try {
    const { result: whole, lateToleranceMs: late } = await runMeasured({ url: server.url, mode: 'turn', loop: { kind: 'closed', concurrency: 3 }, requests: 6 });
    assert.equal(whole.ok, 6);
    assert.equal(whole.tokens.total, 24);
    assert.equal(whole.latencyMs.itl, null);
    assertNear(whole.latencyMs.e2e?.p50, 60, late, 'turn e2e p50');
  } finally {
    await server.close();
  }
});

test('turn mode: a mid-stream error event and a failed session are errors', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [20], tokens: 3, itlMs: 5, streamErrorEvery: 2 });
  try {
    const result = await runLoad({ url: server.url, mode: 'turn', stream: true, loop: { kind: 'closed', concurrency: 2 }, requests: 10 });
    assert.deepEqual(result.errorsByKind, { stream_error: 5 });
    assert.equal(result.ok, 5);
  } finally {
    await server.close();
  }
  // Nothing listens there any more: session creation fails and counts.
  const refused = await runLoad({ url: server.url, mode: 'turn', loop: { kind: 'closed', concurrency: 2 }, requests: 4, timeoutS: 5 });
  assert.equal(refused.ok, 0);
  assert.ok(refused.errors >= 4, JSON.stringify(refused));
  assert.ok(Object.keys(refused.errorsByKind).every((kind) => kind.startsWith('session_')), JSON.stringify(refused.errorsByKind));
});

test('open loop sends at the requested rate without waiting for replies', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [400], tokens: 2, itlMs: 10 });
  try {
    const result = await runLoad({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'open', rate: 40 }, durationS: 2 });
    // Sends scheduled at 0, 25, …, 1975 ms: exactly 80.
    assert.equal(result.requests, 80);
    assert.equal(result.ok, 80);
    const arrivals = server.arrivalsMs;
    const span = (arrivals.at(-1)! - arrivals[0]!) / 1000;
    const achieved = (arrivals.length - 1) / span;
    assert.ok(achieved >= 34 && achieved <= 46, `achieved ${achieved} req/s`);
    // Replies take ~410 ms, so an open loop at 40/s keeps about 16 in flight: far more than one.
    assert.ok(result.peakInFlight >= 12 && result.peakInFlight <= 30, `peak ${result.peakInFlight}`);
    assert.deepEqual(result.loop, { kind: 'open', rate: 40, poisson: false });
  } finally {
    await server.close();
  }
});

test('Poisson open loop: seeded, and the achieved rate is near the requested one', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [20], tokens: 2, itlMs: 5 });
  try {
    const run = (seed: number) => runLoad({ url: server.url, mode: 'chat', loop: { kind: 'open', rate: 150, poisson: true }, durationS: 1, seed });
    const first = await run(7);
    const second = await run(7);
    const other = await run(8);
    assert.equal(first.requests, second.requests, 'same seed, same number of arrivals');
    assert.notEqual(first.requests, other.requests);
    // 150 expected; a Poisson count has a standard deviation of about 12.
    assert.ok(first.requests >= 110 && first.requests <= 190, `requests ${first.requests}`);
    assert.equal(first.ok, first.requests);
  } finally {
    await server.close();
  }
});

test('a spike of 500 puts 500 in flight at once and completes', async () => {
  // A long TTFT: even on a loaded machine every request reaches the server before the first reply.
  const server = await startFixedLatencyServer({ ttftMs: [2_000], tokens: 3, itlMs: 10 });
  try {
    const result = await runLoad({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'spike', spike: 500 }, timeoutS: 20 });
    assert.equal(result.requests, 500);
    assert.equal(result.ok, 500, JSON.stringify(result.errorsByKind));
    assert.equal(result.peakInFlight, 500);
    // The server saw most of them at once (a generator that queued them would show tens).
    assert.ok(server.peakInFlight >= 300, `server saw ${server.peakInFlight} at once`);
    assert.ok(result.latencyMs.ttft!.p50 >= 2_000 - EARLY_TOLERANCE_MS);
    // Sending 500 can itself outlast the first 250 ms bucket on a busy machine, so look at every bucket.
    assert.equal(Math.max(...result.timeline.map((point) => point.inFlight)), 500);
    const svg = renderLoadChartSvg(result);
    assert.ok(svg.startsWith('<svg'));
    assert.match(svg, /id="latency-chart"/);
    assert.match(svg, /id="in-flight-chart"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
  } finally {
    await server.close();
  }
});

test('per-request timeout, hard stop and connection refused are errors by kind', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [3_000], tokens: 2, itlMs: 10 });
  try {
    const timedOut = await runLoad({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 3 }, requests: 3, timeoutS: 0.2 });
    assert.deepEqual(timedOut.errorsByKind, { timeout: 3 });
    const started = performance.now();
    const stopped = await runLoad({ url: server.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 2 }, durationS: 10, maxSeconds: 0.3 });
    assert.ok(performance.now() - started < 2_000, 'the hard bound ended the run');
    assert.deepEqual(stopped.errorsByKind, { cancelled: 2 });
  } finally {
    await server.close();
  }
  const closedPort = await closedLoopbackPort();
  const refused = await runLoad({ url: `http://127.0.0.1:${closedPort}`, mode: 'chat', loop: { kind: 'closed', concurrency: 2 }, requests: 6 });
  assert.deepEqual(refused.errorsByKind, { ECONNREFUSED: 6 });
  assert.equal(refused.ok, 0);
});

test('an aborted signal stops the run and returns what was measured', async () => {
  const server = await startFixedLatencyServer({ ttftMs: [20], tokens: 2, itlMs: 5 });
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runLoad({ url: server.url, mode: 'chat', loop: { kind: 'closed', concurrency: 2 }, durationS: 30, signal: controller.signal });
    assert.ok(result.durationS < 2, `duration ${result.durationS}`);
    assert.ok(result.ok > 0);
  } finally {
    await server.close();
  }
});

test('bad options are refused with a clear error', async () => {
  await assert.rejects(runLoad({ url: 'ftp://x', mode: 'chat', loop: { kind: 'closed', concurrency: 1 } }), /url must be http/);
  await assert.rejects(runLoad({ url: 'http://127.0.0.1:1', mode: 'chat', loop: { kind: 'closed', concurrency: 0 } }), /concurrency/);
  await assert.rejects(runLoad({ url: 'http://127.0.0.1:1', mode: 'chat', loop: { kind: 'open', rate: -1 } }), /rate/);
});
