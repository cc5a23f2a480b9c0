import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadRecorder } from '../../src/lab/load-recorder.js';
import { buildLoadResult, interTokenLatencyMs, type ResultContext } from '../../src/lab/load-result.js';

const context = (overrides: Partial<ResultContext> = {}): ResultContext => ({
  startedAt: new Date('2026-01-01T00:00:00Z'),
  url: 'http://127.0.0.1:1',
  mode: 'chat',
  stream: true,
  loop: { kind: 'closed', concurrency: 2 },
  wallMs: 1000,
  ttftTargetMs: 100,
  itlTargetMs: 10,
  cpuMicros: 5000,
  eventLoopDelayP99Ms: 1.5,
  ...overrides,
});

test('inter-token latency is (e2e − TTFT) / (tokens − 1), undefined below two tokens', () => {
  assert.equal(interTokenLatencyMs(150, 50, 11), 10);
  assert.ok(Number.isNaN(interTokenLatencyMs(150, 50, 1)));
});

test('percentiles, ITL, goodput, tokens and errors from known timings, exactly', () => {
  const recorder = new LoadRecorder(2); // grows past its first capacity on the way
  // Ten streamed successes: TTFT 10, 20, …, 100 ms, then 5 tokens 5 ms apart, except the last
  // two whose gaps are 20 ms (they miss the 10 ms ITL target).
  for (let request = 1; request <= 10; request++) {
    const start = request * 10;
    const index = recorder.begin(start);
    const ttft = request * 10;
    const gap = request >= 9 ? 20 : 5;
    recorder.succeed(index, start + ttft + 4 * gap, ttft, 5);
  }
  recorder.fail(recorder.begin(500), 510, '500');
  recorder.fail(recorder.begin(600), 900, 'timeout');
  recorder.failUnstarted('session_ECONNREFUSED');
  const result = buildLoadResult(recorder, context());

  assert.equal(result.requests, 13);
  assert.equal(result.ok, 10);
  assert.equal(result.errors, 3);
  assert.deepEqual(result.errorsByKind, { '500': 1, timeout: 1, session_ECONNREFUSED: 1 });
  assert.deepEqual(result.latencyMs.ttft, { p50: 50, p90: 90, p99: 100, max: 100, mean: 55, count: 10 });
  assert.deepEqual(result.latencyMs.itl, { p50: 5, p90: 20, p99: 20, max: 20, mean: 8, count: 10 });
  assert.equal(result.latencyMs.e2e?.max, 180);
  // Good: TTFT ≤ 100 and ITL ≤ 10 — requests 1…8; over one second of wall time.
  assert.equal(result.goodputRps, 8);
  assert.equal(result.throughputRps, 10);
  assert.deepEqual(result.tokens, { total: 50, perRequestMean: 5 });
  assert.equal(result.peakInFlight, 1);
  assert.equal(result.overhead.cpuMicrosPerRequest, Math.round((5000 / 13) * 1000) / 1000);
  assert.equal(result.overhead.eventLoopDelayP99Ms, 1.5);
  assert.equal(result.durationS, 1);
});

test('not streamed: no ITL, and goodput judges TTFT (the end-to-end latency) alone', () => {
  const recorder = new LoadRecorder(4);
  recorder.succeed(recorder.begin(0), 80, 80, 30);
  recorder.succeed(recorder.begin(0), 120, 120, 30);
  const result = buildLoadResult(recorder, context({ stream: false, wallMs: 2000 }));
  assert.equal(result.latencyMs.itl, null);
  assert.equal(result.goodputRps, 0.5);
});

test('timeline: peak in flight, completions and e2e percentiles per 250 ms bucket', () => {
  const recorder = new LoadRecorder(8);
  // Three start together; one ends in the first bucket, two in the third; a fourth starts in the second.
  const first = recorder.begin(0);
  const second = recorder.begin(1);
  const third = recorder.begin(2);
  recorder.succeed(first, 100, 50, 2);
  const fourth = recorder.begin(300);
  recorder.succeed(second, 600, 50, 2);
  recorder.fail(third, 700, '503');
  recorder.succeed(fourth, 1100, 50, 2);
  const result = buildLoadResult(recorder, context({ wallMs: 1100 }));
  assert.deepEqual(
    result.timeline.map((point) => [point.tS, point.inFlight, point.completed, point.e2eP50Ms, point.e2eP99Ms]),
    [
      [0, 3, 1, 100, 100],
      [0.25, 3, 0, null, null],
      [0.5, 3, 2, 599, 599],
      [0.75, 1, 0, null, null],
      [1, 1, 1, 800, 800],
    ],
  );
  assert.equal(result.peakInFlight, 3);
});
