/** Per-request timings of a load run in preallocated typed columns, plus the live counters the progress line reads. */

import { percentileOfSorted } from '../stats/percentile-of-sorted.js';

export const OUTCOME_PENDING = 0;
export const OUTCOME_OK = 1;
export const OUTCOME_ERROR = 2;

const RECENT_WINDOW = 256;

/**
 * Times are milliseconds since the run's origin. Columns grow by doubling, so a run of
 * unknown length costs a handful of copies rather than an object per request.
 */
export class LoadRecorder {
  /** Requests attempted: begun exchanges plus turn sessions that could not be created. */
  requests = 0;
  ok = 0;
  errors = 0;
  inFlight = 0;
  peakInFlight = 0;
  /** Exchanges begun; the index of the next one. */
  begun = 0;
  readonly errorsByKind = new Map<string, number>();

  startMs: Float64Array;
  endMs: Float64Array;
  ttftMs: Float64Array;
  e2eMs: Float64Array;
  tokens: Uint32Array;
  outcome: Uint8Array;

  /** Highest in-flight count seen in each time bucket. */
  readonly bucketPeakInFlight: number[] = [];
  private lastBucket = -1;

  /** The most recent successful end-to-end latencies, for a cheap "current p50". */
  private readonly recentE2e = new Float64Array(RECENT_WINDOW);
  private recentCount = 0;

  constructor(
    initialCapacity: number,
    readonly bucketMs = 250,
  ) {
    const capacity = Math.max(16, Math.ceil(initialCapacity));
    this.startMs = new Float64Array(capacity);
    this.endMs = new Float64Array(capacity);
    this.ttftMs = new Float64Array(capacity);
    this.e2eMs = new Float64Array(capacity);
    this.tokens = new Uint32Array(capacity);
    this.outcome = new Uint8Array(capacity);
  }

  /** Starts one exchange at `nowMs` and returns its index. */
  begin(nowMs: number): number {
    if (this.begun === this.startMs.length) this.grow();
    const index = this.begun++;
    this.requests++;
    this.startMs[index] = nowMs;
    this.trackBucket(nowMs);
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    this.raiseBucketPeak();
    return index;
  }

  succeed(index: number, nowMs: number, ttftMs: number, tokens: number): void {
    const e2e = nowMs - this.startMs[index]!;
    this.endMs[index] = nowMs;
    this.e2eMs[index] = e2e;
    this.ttftMs[index] = ttftMs;
    this.tokens[index] = tokens;
    this.outcome[index] = OUTCOME_OK;
    this.ok++;
    this.recentE2e[this.recentCount++ % RECENT_WINDOW] = e2e;
    this.finish(nowMs);
  }

  fail(index: number, nowMs: number, kind: string): void {
    this.endMs[index] = nowMs;
    this.e2eMs[index] = nowMs - this.startMs[index]!;
    this.outcome[index] = OUTCOME_ERROR;
    this.countError(kind);
    this.finish(nowMs);
  }

  /** A request that failed before its exchange began (a turn session that could not be created). */
  failUnstarted(kind: string): void {
    this.requests++;
    this.countError(kind);
  }

  /** p50 of the last few hundred successful end-to-end latencies, or NaN before the first. */
  recentE2eP50(): number {
    const count = Math.min(this.recentCount, RECENT_WINDOW);
    if (count === 0) return Number.NaN;
    return percentileOfSorted(this.recentE2e.slice(0, count).sort(), count, 0.5);
  }

  private countError(kind: string): void {
    this.errors++;
    this.errorsByKind.set(kind, (this.errorsByKind.get(kind) ?? 0) + 1);
  }

  private finish(nowMs: number): void {
    this.trackBucket(nowMs);
    this.inFlight--;
  }

  /** Opens every bucket up to the one holding `nowMs`; a bucket starts at the count in flight when it opened. */
  private trackBucket(nowMs: number): void {
    const bucket = Math.max(0, Math.floor(nowMs / this.bucketMs));
    while (this.lastBucket < bucket) {
      this.lastBucket++;
      this.bucketPeakInFlight.push(this.inFlight);
    }
  }

  private raiseBucketPeak(): void {
    const last = this.bucketPeakInFlight.length - 1;
    if (this.inFlight > this.bucketPeakInFlight[last]!) this.bucketPeakInFlight[last] = this.inFlight;
  }

  private grow(): void {
    const capacity = this.startMs.length * 2;
    const widen = <T extends Float64Array | Uint32Array | Uint8Array>(column: T, make: (size: number) => T): T => {
      const wider = make(capacity);
      wider.set(column);
      return wider;
    };
    this.startMs = widen(this.startMs, (size) => new Float64Array(size));
    this.endMs = widen(this.endMs, (size) => new Float64Array(size));
    this.ttftMs = widen(this.ttftMs, (size) => new Float64Array(size));
    this.e2eMs = widen(this.e2eMs, (size) => new Float64Array(size));
    this.tokens = widen(this.tokens, (size) => new Uint32Array(size));
    this.outcome = widen(this.outcome, (size) => new Uint8Array(size));
  }
}
