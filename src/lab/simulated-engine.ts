/** A simulated continuous-batching engine (like vLLM's scheduler): a FIFO wait queue, at most maxNumSeqs running, one shared step timer. */

import type { SeededRandom } from '../stats/seeded-random.js';
import { jittered } from './jittered.js';
import type { PrefixCache } from './prefix-cache.js';

/** Time and timers, injected so the engine can run on a manual clock in tests. */
export interface EngineClock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: EngineClock = {
  now: () => performance.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The knobs the engine reads at each admission and step; the owner may change them at run time. */
export interface EngineSettings {
  /** Mean time from admission to the first token. */
  ttftMs: number;
  /** Mean step time with one running sequence. */
  itlMs: number;
  /** Extra, unjittered delay before the first token. */
  stallMs: number;
  maxNumSeqs: number;
  /** Step time = itl · (1 + batchSlowdown · running / maxNumSeqs). */
  batchSlowdown: number;
  /** Relative jitter of TTFT and step time (0.1 = uniform ±10%). */
  jitter: number;
  /** KV capacity in tokens: a waiting sequence is admitted only if its prompt fits (or nothing runs). */
  kvCapacityTokens: number;
  /** Prefill speed: each prompt token the prefix cache does not hold adds 1000 / this ms to TTFT. 0 or absent: prefill is free. */
  prefillTokensPerSecond?: number;
  /**
   * Prefills share the engine's compute: one at a time at prefillTokensPerSecond, the next waiting for the one
   * before (a GPU's prefill throughput is spent on one batch of tokens at a time). Off: each sequence prefills as
   * if alone, which keeps short-prompt timings as they were.
   */
  sharedPrefill?: boolean;
}

/** What the engine calls as a sequence makes progress. Called synchronously from the step. */
export interface SequenceListener {
  /** Token `index` (0-based) was generated. */
  onToken(index: number): void;
  /** The last token was generated; the sequence has left the engine. Not called for cancelled sequences. */
  onFinish(): void;
}

const WAITING = 0;
const PREFILL = 1;
const DECODE = 2;
const ENDED = 3;

/** One request inside the engine. Fields are the engine's; callers hold it only to cancel it. */
export class SimulatedSequence {
  phase = WAITING;
  /** Index in the running array, or -1. */
  slot = -1;
  generated = 0;
  firstTokenAt = 0;
  cancelRequested = false;
  /** Leading prompt tokens the prefix cache held at admission. */
  cachedTokens = 0;
  /** KV tokens of its own: the prompt past its cached prefix (whose blocks it shares), then what it generates. */
  kvTokens = 0;

  constructor(
    readonly listener: SequenceListener,
    readonly promptTokens: number,
    readonly targetTokens: number,
    /** A uniform draw in [0, 1) fixing this sequence's TTFT jitter, drawn by the caller in request order. */
    readonly ttftDraw: number,
    /** The prompt's chained block hashes, when the engine has a prefix cache. */
    readonly promptBlocks: readonly number[] | undefined,
  ) {}
}

// Timers fire at millisecond granularity: anything due within this much of now is done now.
const SLACK_MS = 1;
// Compact the wait queue's consumed prefix once it is this long.
const QUEUE_COMPACT_AT = 1024;

export class SimulatedEngine {
  private readonly running: SimulatedSequence[] = [];
  private readonly waitQueue: SimulatedSequence[] = [];
  private waitHead = 0;
  private waitingSequences = 0;
  private decodingSequences = 0;
  private kvTokensHeld = 0;
  private nextDecodeAt = Infinity;
  private timer: unknown = undefined;
  private timerDueAt = Infinity;
  private stepping = false;
  private readonly cancelledDuringStep: SimulatedSequence[] = [];
  private stopped = false;
  /** With shared prefill: when the prefills already scheduled are done. */
  private prefillFreeAt = 0;

  peakRunning = 0;
  promptTokensTotal = 0;
  generatedTokensTotal = 0;
  /** Prompt tokens looked up in the prefix cache, and those found (vLLM's prefix_cache_queries and _hits). */
  prefixCacheQueriesTotal = 0;
  prefixCacheHitsTotal = 0;

  constructor(
    readonly settings: EngineSettings,
    private readonly stepRandom: SeededRandom,
    private readonly clock: EngineClock = realClock,
    /** Absent: no prefix caching, every prompt token is prefilled. */
    readonly prefixCache?: PrefixCache,
  ) {}

  get runningCount(): number {
    return this.running.length;
  }

  get waitingCount(): number {
    return this.waitingSequences;
  }

  /** Tokens held by running sequences over capacity, clamped to [0, 1]. */
  get kvCacheUsage(): number {
    return Math.min(1, this.kvTokensHeld / this.settings.kvCapacityTokens);
  }

  /** Queues a sequence of `targetTokens` tokens (at least 1) and starts it at once if there is room. */
  submit(listener: SequenceListener, promptTokens: number, targetTokens: number, ttftDraw: number, promptBlocks?: readonly number[]): SimulatedSequence {
    const sequence = new SimulatedSequence(listener, promptTokens, Math.max(1, targetTokens), ttftDraw, promptBlocks);
    if (this.stopped) {
      sequence.phase = ENDED;
      return sequence;
    }
    this.waitQueue.push(sequence);
    this.waitingSequences++;
    if (!this.stepping) this.admitWaiting(this.clock.now());
    return sequence;
  }

  /** Removes a sequence at once (client gone, injected disconnect); its slot goes to the next waiting one. */
  cancel(sequence: SimulatedSequence): void {
    if (sequence.phase === ENDED || sequence.cancelRequested) return;
    if (sequence.phase === WAITING) {
      // Left in the queue array and skipped at admission: removing from the middle would cost O(n).
      sequence.phase = ENDED;
      this.waitingSequences--;
      return;
    }
    if (this.stepping) {
      // The step loop is walking the running array; it releases these when it is done.
      sequence.cancelRequested = true;
      this.cancelledDuringStep.push(sequence);
      return;
    }
    this.release(sequence);
    this.admitWaiting(this.clock.now());
  }

  /** Drops every sequence without calling listeners and clears the timer. */
  shutdown(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerDueAt = Infinity;
    for (const sequence of this.running) sequence.phase = ENDED;
    for (let index = this.waitHead; index < this.waitQueue.length; index++) this.waitQueue[index]!.phase = ENDED;
    this.running.length = 0;
    this.waitQueue.length = 0;
    this.waitHead = 0;
    this.waitingSequences = 0;
    this.decodingSequences = 0;
    this.kvTokensHeld = 0;
    this.prefixCache?.clear();
  }

  private admitWaiting(now: number): void {
    const { maxNumSeqs, kvCapacityTokens } = this.settings;
    while (this.running.length < maxNumSeqs && this.waitHead < this.waitQueue.length) {
      const sequence = this.waitQueue[this.waitHead]!;
      if (sequence.phase === ENDED) {
        this.waitHead++;
        continue;
      }
      // Like vLLM, a prompt whose new KV blocks do not fit waits, unless the engine is empty (it would never fit then).
      // Cached prefix blocks are shared, not allocated again.
      const cachedTokens = this.cachedTokensOf(sequence);
      if (this.running.length > 0 && this.kvTokensHeld + sequence.promptTokens - cachedTokens > kvCapacityTokens) break;
      this.waitHead++;
      this.waitingSequences--;
      this.start(sequence, now, cachedTokens);
    }
    if (this.waitHead >= QUEUE_COMPACT_AT && this.waitHead * 2 >= this.waitQueue.length) {
      this.waitQueue.splice(0, this.waitHead);
      this.waitHead = 0;
    }
  }

  /**
   * Leading prompt tokens the prefix cache holds for this sequence. As in vLLM, the last prompt token is always
   * computed (its logits start decoding): a fully cached prompt still prefills its last block.
   */
  private cachedTokensOf(sequence: SimulatedSequence): number {
    const cache = this.prefixCache;
    if (cache === undefined || sequence.promptBlocks === undefined) return 0;
    return cache.leadingHits(sequence.promptBlocks, Math.floor((sequence.promptTokens - 1) / cache.blockTokens)) * cache.blockTokens;
  }

  private start(sequence: SimulatedSequence, now: number, cachedTokens: number): void {
    const { ttftMs, stallMs, jitter, prefillTokensPerSecond, sharedPrefill } = this.settings;
    sequence.phase = PREFILL;
    sequence.slot = this.running.length;
    this.running.push(sequence);
    sequence.cachedTokens = cachedTokens;
    sequence.kvTokens = sequence.promptTokens - cachedTokens;
    this.kvTokensHeld += sequence.kvTokens;
    this.promptTokensTotal += sequence.promptTokens;
    if (this.running.length > this.peakRunning) this.peakRunning = this.running.length;
    const cache = this.prefixCache;
    if (cache !== undefined && sequence.promptBlocks !== undefined) {
      this.prefixCacheQueriesTotal += sequence.promptTokens;
      this.prefixCacheHitsTotal += sequence.cachedTokens;
      // Blocks are cached when scheduled (vLLM V1), so a request admitted on the next step already shares them.
      cache.touch(sequence.promptBlocks);
      this.trimPrefixCache();
    }
    const prefillMs = prefillTokensPerSecond ? ((sequence.promptTokens - sequence.cachedTokens) * 1000) / prefillTokensPerSecond : 0;
    let prefillDoneAt = now + prefillMs;
    if (sharedPrefill) {
      // A cancelled sequence keeps its turn: the prefill it started is not given back (a small overestimate).
      prefillDoneAt = Math.max(now, this.prefillFreeAt) + prefillMs;
      this.prefillFreeAt = prefillDoneAt;
    }
    sequence.firstTokenAt = prefillDoneAt + Math.max(0, jittered(ttftMs, jitter, sequence.ttftDraw)) + stallMs;
    // While others decode, the step timer is the clock that matters: a finished prefill waits for the next step.
    if (this.decodingSequences === 0) this.scheduleAt(sequence.firstTokenAt);
  }

  /** Takes a sequence out of the running array (swap with the last: O(1)) and frees its KV tokens. */
  private release(sequence: SimulatedSequence): void {
    const last = this.running.pop()!;
    if (last !== sequence) {
      this.running[sequence.slot] = last;
      last.slot = sequence.slot;
    }
    // With nobody decoding the step clock stops; the next first token restarts it.
    if (sequence.phase === DECODE && --this.decodingSequences === 0) this.nextDecodeAt = Infinity;
    this.kvTokensHeld -= sequence.kvTokens;
    sequence.phase = ENDED;
    sequence.slot = -1;
  }

  private scheduleAt(dueAt: number): void {
    if (this.stopped || dueAt >= this.timerDueAt - SLACK_MS / 2) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timerDueAt = dueAt;
    this.timer = this.clock.setTimer(this.tick, Math.max(0, dueAt - this.clock.now()));
  }

  private stepDuration(): number {
    const { itlMs, batchSlowdown, maxNumSeqs, jitter } = this.settings;
    const mean = itlMs * (1 + (batchSlowdown * this.running.length) / maxNumSeqs);
    return Math.max(0, jittered(mean, jitter, this.stepRandom.next()));
  }

  /**
   * Cached blocks live in KV memory that running sequences do not hold: as usage grows, the least recently used
   * go. A running sequence holds only the blocks it added (its prompt past the cached prefix, then its output):
   * the prefix it found cached is shared, as vLLM shares it. (Its own blocks are counted in both, and blocks in
   * use may be trimmed, so a nearly full engine caches a little less than vLLM.)
   */
  private trimPrefixCache(): void {
    const cache = this.prefixCache!;
    cache.trim(Math.floor(Math.max(0, this.settings.kvCapacityTokens - this.kvTokensHeld) / cache.blockTokens));
  }

  /** Emits one token; true when the sequence has just finished (and left the engine). */
  private emit(sequence: SimulatedSequence): boolean {
    const index = sequence.generated++;
    sequence.kvTokens++;
    this.kvTokensHeld++;
    this.generatedTokensTotal++;
    // A decode that fills a block takes a new one, as vLLM allocates them: the moment memory pressure can evict.
    if (this.prefixCache !== undefined && sequence.generated % this.prefixCache.blockTokens === 0) this.trimPrefixCache();
    sequence.listener.onToken(index);
    if (sequence.cancelRequested || sequence.generated < sequence.targetTokens) return false;
    this.release(sequence);
    sequence.listener.onFinish();
    return true;
  }

  // One timer for the whole engine: it fires at the next decode step, or at the next first token when nothing decodes.
  private readonly tick = (): void => {
    this.timer = undefined;
    this.timerDueAt = Infinity;
    if (this.stopped) return;
    const now = this.clock.now();
    const decodeActive = this.decodingSequences > 0;
    const decodeDue = decodeActive && now + SLACK_MS >= this.nextDecodeAt;
    // As in vLLM, a prefill finishes inside an engine step: with a batch decoding, first tokens come out on its steps,
    // so every gap after the first token is one whole step.
    const firstTokensNow = !decodeActive || decodeDue;
    let nextFirstTokenAt = Infinity;
    this.stepping = true;
    let index = 0;
    while (index < this.running.length) {
      const sequence = this.running[index]!;
      if (sequence.cancelRequested) {
        index++;
        continue;
      }
      if (sequence.phase === DECODE) {
        // emit() releasing the sequence swaps an unvisited one into this slot: visit the slot again.
        if (decodeDue && this.emit(sequence)) continue;
      } else if (sequence.firstTokenAt <= now + SLACK_MS) {
        if (firstTokensNow) {
          sequence.phase = DECODE;
          this.decodingSequences++;
          if (this.emit(sequence)) continue;
        }
      } else if (sequence.firstTokenAt < nextFirstTokenAt) {
        nextFirstTokenAt = sequence.firstTokenAt;
      }
      index++;
    }
    this.stepping = false;
    for (const sequence of this.cancelledDuringStep) {
      if (sequence.phase !== ENDED) this.release(sequence);
      sequence.cancelRequested = false;
    }
    this.cancelledDuringStep.length = 0;

    if (this.decodingSequences === 0) this.nextDecodeAt = Infinity;
    else if (decodeDue || this.nextDecodeAt === Infinity) this.nextDecodeAt = now + this.stepDuration();
    this.admitWaiting(now);
    // A cancel outside a step can stop the step clock early; the timer then still fires and serves waiting prefills.
    this.scheduleAt(this.decodingSequences > 0 ? this.nextDecodeAt : nextFirstTokenAt);
  };
}
