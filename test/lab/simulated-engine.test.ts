import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedEngine, type EngineSettings, type SequenceListener } from '../../src/lab/simulated-engine.js';
import { SeededRandom } from '../../src/stats/seeded-random.js';
import { ManualClock } from './manual-clock.js';

class RecordingListener implements SequenceListener {
  readonly tokenTimes: number[] = [];
  finishedAt: number | undefined;
  onTokenHook: ((index: number) => void) | undefined;

  constructor(private readonly clock: ManualClock) {}

  onToken(index: number): void {
    assert.equal(index, this.tokenTimes.length, 'tokens come in order');
    this.tokenTimes.push(this.clock.now());
    this.onTokenHook?.(index);
  }

  onFinish(): void {
    assert.equal(this.finishedAt, undefined, 'finish comes once');
    this.finishedAt = this.clock.now();
  }
}

function setup(overrides: Partial<EngineSettings> = {}): { clock: ManualClock; engine: SimulatedEngine; listener: () => RecordingListener } {
  const clock = new ManualClock();
  const settings: EngineSettings = { ttftMs: 100, itlMs: 10, stallMs: 0, maxNumSeqs: 4, batchSlowdown: 0, jitter: 0, kvCapacityTokens: 100_000, ...overrides };
  const engine = new SimulatedEngine(settings, new SeededRandom(1), clock);
  return { clock, engine, listener: () => new RecordingListener(clock) };
}

test('a lone sequence gets its first token at TTFT + stall, then one token per step', () => {
  const { clock, engine, listener } = setup({ stallMs: 50 });
  const recorder = listener();
  engine.submit(recorder, 10, 5, 0.5);
  clock.advanceTo(10_000);
  assert.deepEqual(recorder.tokenTimes, [150, 160, 170, 180, 190]);
  assert.equal(recorder.finishedAt, 190);
  assert.deepEqual([engine.runningCount, engine.waitingCount, engine.generatedTokensTotal, engine.promptTokensTotal], [0, 0, 5, 10]);
  assert.equal(clock.pendingTimers, 0, 'an idle engine holds no timer');
});

test('step time grows with the batch: itl · (1 + batchSlowdown · running / maxNumSeqs)', () => {
  const { clock, engine, listener } = setup({ batchSlowdown: 1, maxNumSeqs: 4 });
  const recorders = Array.from({ length: 4 }, () => listener());
  for (const recorder of recorders) engine.submit(recorder, 1, 3, 0.5);
  clock.advanceTo(10_000);
  for (const recorder of recorders) assert.deepEqual(recorder.tokenTimes, [100, 120, 140]);
});

test('a prefill that completes while others decode emits on the next step, then one whole step per token', () => {
  const { clock, engine, listener } = setup({ itlMs: 10, ttftMs: 100 });
  const early = listener();
  const late = listener();
  engine.submit(early, 1, 20, 0.5);
  clock.advanceTo(3);
  engine.submit(late, 1, 3, 0.5);
  clock.advanceTo(10_000);
  assert.deepEqual(early.tokenTimes.slice(0, 4), [100, 110, 120, 130]);
  assert.deepEqual(late.tokenTimes, [110, 120, 130], 'first token at the step after 103, not at 103');
});

test('one shared timer drives every running sequence', () => {
  const { clock, engine, listener } = setup({ maxNumSeqs: 50 });
  for (let index = 0; index < 50; index++) engine.submit(listener(), 1, 20, 0.5);
  clock.advanceTo(10_000);
  assert.ok(clock.timersSet <= 25, `${clock.timersSet} timers for 50 sequences × 20 tokens`);
  assert.equal(engine.generatedTokensTotal, 1000);
});

test('past maxNumSeqs sequences wait in FIFO order and start as slots free', () => {
  const { clock, engine, listener } = setup({ maxNumSeqs: 2 });
  const recorders = Array.from({ length: 5 }, () => listener());
  for (const recorder of recorders) engine.submit(recorder, 1, 2, 0.5);
  assert.deepEqual([engine.runningCount, engine.waitingCount], [2, 3]);
  clock.advanceTo(10_000);
  const firstTokens = recorders.map((recorder) => recorder.tokenTimes[0]!);
  assert.deepEqual(firstTokens, [100, 100, 210, 210, 320]);
  assert.equal(engine.peakRunning, 2);
  assert.ok(recorders.every((recorder) => recorder.finishedAt !== undefined));
});

test('cancel frees a running slot at once and drops a waiting sequence', () => {
  const { clock, engine, listener } = setup({ maxNumSeqs: 1 });
  const first = listener();
  const second = listener();
  const third = listener();
  const firstSequence = engine.submit(first, 1, 100, 0.5);
  engine.submit(second, 1, 2, 0.5);
  const thirdSequence = engine.submit(third, 1, 2, 0.5);
  clock.advanceTo(120);
  engine.cancel(thirdSequence);
  assert.deepEqual([engine.runningCount, engine.waitingCount], [1, 1]);
  engine.cancel(firstSequence);
  assert.deepEqual([engine.runningCount, engine.waitingCount], [1, 0], 'the second sequence took the slot');
  const firstTokens = first.tokenTimes.length;
  clock.advanceTo(10_000);
  assert.equal(first.tokenTimes.length, firstTokens);
  assert.equal(first.finishedAt, undefined);
  assert.deepEqual(second.tokenTimes, [220, 230]);
  assert.deepEqual(third.tokenTimes, []);
  assert.equal(engine.runningCount, 0);
});

test('a listener may cancel its own sequence while a step runs', () => {
  const { clock, engine, listener } = setup();
  const selfCancelling = listener();
  const other = listener();
  const sequence = engine.submit(selfCancelling, 1, 10, 0.5);
  selfCancelling.onTokenHook = (index) => {
    if (index === 2) engine.cancel(sequence);
  };
  engine.submit(other, 1, 10, 0.5);
  clock.advanceTo(10_000);
  assert.equal(selfCancelling.tokenTimes.length, 3);
  assert.equal(selfCancelling.finishedAt, undefined);
  assert.equal(other.tokenTimes.length, 10);
  assert.equal(engine.runningCount, 0);
  assert.equal(engine.kvCacheUsage, 0);
});

test('KV usage counts prompt and generated tokens of running sequences; a full cache holds back admission', () => {
  const { clock, engine, listener } = setup({ kvCapacityTokens: 1000, maxNumSeqs: 10 });
  engine.submit(listener(), 600, 5, 0.5);
  engine.submit(listener(), 600, 5, 0.5);
  assert.deepEqual([engine.runningCount, engine.waitingCount], [1, 1]);
  assert.equal(engine.kvCacheUsage, 0.6);
  clock.advanceTo(115);
  assert.equal(engine.kvCacheUsage, 0.602);
  clock.advanceTo(10_000);
  assert.equal(engine.runningCount, 0);
  assert.equal(engine.kvCacheUsage, 0);
  assert.equal(engine.peakRunning, 1);
});

test('jitter moves TTFT within ±jitter, decided by the draw', () => {
  const { clock, engine, listener } = setup({ jitter: 0.2 });
  const early = listener();
  const late = listener();
  engine.submit(early, 1, 1, 0);
  engine.submit(late, 1, 1, 0.75);
  clock.advanceTo(1000);
  assert.ok(Math.abs(early.tokenTimes[0]! - 80) < 1e-9, `early first token at ${early.tokenTimes[0]}`);
  assert.ok(Math.abs(late.tokenTimes[0]! - 110) < 1e-9, `late first token at ${late.tokenTimes[0]}`);
});

test('shutdown drops everything and clears the timer', () => {
  const { clock, engine, listener } = setup({ maxNumSeqs: 1 });
  const recorder = listener();
  engine.submit(recorder, 1, 5, 0.5);
  engine.submit(listener(), 1, 5, 0.5);
  engine.shutdown();
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual([engine.runningCount, engine.waitingCount], [0, 0]);
  clock.advanceTo(10_000);
  assert.deepEqual(recorder.tokenTimes, []);
});
