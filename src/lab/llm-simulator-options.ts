/** The LLM simulator's options: their defaults and the checks that turn a bad value into a clear RangeError. */

import { realClock, type EngineClock } from './simulated-engine.js';

export interface LlmSimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Mean time to first token after a sequence starts running, before the prefill of its uncached prompt tokens; default 200. */
  ttftMs?: number;
  /** Mean inter-token latency at batch 1, default 20. */
  itlMs?: number;
  /** The natural answer length when the request gives no smaller max_tokens, default 64. */
  outputTokens?: number;
  /** At most this many sequences run at once; the rest wait in a FIFO queue. Default 256. */
  maxNumSeqs?: number;
  /** Step time = itl · (1 + batchSlowdown · running / maxNumSeqs), default 0.5. */
  batchSlowdown?: number;
  /** Relative jitter of TTFT and ITL, default 0.1 (uniform ±10%). */
  jitter?: number;
  /** Fraction of requests answered with an injected 429/500/503 before any token, default 0. */
  errorRate?: number;
  /** Fraction of streamed requests whose socket is closed mid-stream after at least one token, default 0. */
  disconnectRate?: number;
  /** Extra delay before the first token (a stalled backend), default 0. */
  stallMs?: number;
  /** Same seed + same request sequence ⇒ same texts, latencies and faults. Default 1. */
  seed?: number;
  /** Listed in /v1/models; requests may name any model. Default 'switchboard-sim'. */
  modelName?: string;
  /**
   * vLLM's --max-model-len: a request whose prompt tokens plus max_tokens exceed it is refused with
   * 400 `context_length_exceeded`, as vLLM and OpenAI do. Default 0: no limit.
   */
  maxModelLen?: number;
  /** KV capacity in tokens for kv_cache_usage_perc and admission, default maxNumSeqs · 2048. */
  kvBlocksTotal?: number;
  /** Tokens per prefix-cache block (vLLM's --block-size), default 16. */
  blockTokens?: number;
  /** Prompt blocks the prefix cache holds at most, default all the KV capacity holds (kvBlocksTotal / blockTokens); 0 turns caching off. */
  prefixCacheBlocks?: number;
  /** Prefill speed in prompt tokens per second: each uncached prompt token adds 1000 / this ms to TTFT. Default 32,000; 0 makes prefill free. */
  prefillTokensPerSecond?: number;
  /** Prefills take turns on the engine's compute (a long uncached prompt delays the prefills behind it); default false, each prefills as if alone. */
  sharedPrefill?: boolean;
  /** The engine's time and timers, and the clock of the latency histograms; a manual clock makes a test's timings exact. Default: real time. */
  clock?: EngineClock;
}

/**
 * The default prefill speed, from the planner's roofline (src/planner/decode-roofline.ts `estimatePrefill`, with the
 * catalog's H100 SXM, Llama 3.1 8B in BF16 and the serving engine's 0.5 compute efficiency): a 2,048-token prompt
 * prefills in 64.7 ms, 31,660 tokens/s, compute-bound. Rounded; test/lab/prefill-calibration.test.ts keeps the two
 * within 5%. At this speed a 100-token prompt costs 3 ms, so short prompts keep the TTFT they had before.
 */
export const DEFAULT_PREFILL_TOKENS_PER_SECOND = 32_000;

export type SimulatorPatch = Partial<Pick<LlmSimulatorOptions, 'errorRate' | 'disconnectRate' | 'stallMs' | 'ttftMs' | 'itlMs'>>;

function check(name: string, value: number, valid: boolean, expected: string): void {
  if (!valid) throw new RangeError(`LLM simulator option ${name} must be ${expected}, got ${String(value)}`);
}

function checkMilliseconds(name: string, value: number): void {
  check(name, value, Number.isFinite(value) && value >= 0, 'a finite number >= 0');
}

function checkRate(name: string, value: number): void {
  check(name, value, Number.isFinite(value) && value >= 0 && value <= 1, 'a number in [0, 1]');
}

function checkPositiveInteger(name: string, value: number): void {
  check(name, value, Number.isInteger(value) && value >= 1, 'an integer >= 1');
}

export function validateSimulatorPatch(patch: SimulatorPatch): void {
  if (patch.errorRate !== undefined) checkRate('errorRate', patch.errorRate);
  if (patch.disconnectRate !== undefined) checkRate('disconnectRate', patch.disconnectRate);
  if (patch.stallMs !== undefined) checkMilliseconds('stallMs', patch.stallMs);
  if (patch.ttftMs !== undefined) checkMilliseconds('ttftMs', patch.ttftMs);
  if (patch.itlMs !== undefined) checkMilliseconds('itlMs', patch.itlMs);
}

/** Every option with its default applied, after checking each one. */
export function resolveSimulatorOptions(options: LlmSimulatorOptions): Required<LlmSimulatorOptions> {
  const maxNumSeqs = options.maxNumSeqs ?? 256;
  const resolved: Required<LlmSimulatorOptions> = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    ttftMs: options.ttftMs ?? 200,
    itlMs: options.itlMs ?? 20,
    outputTokens: options.outputTokens ?? 64,
    maxNumSeqs,
    batchSlowdown: options.batchSlowdown ?? 0.5,
    jitter: options.jitter ?? 0.1,
    errorRate: options.errorRate ?? 0,
    disconnectRate: options.disconnectRate ?? 0,
    stallMs: options.stallMs ?? 0,
    seed: options.seed ?? 1,
    modelName: options.modelName ?? 'switchboard-sim',
    maxModelLen: options.maxModelLen ?? 0,
    kvBlocksTotal: options.kvBlocksTotal ?? maxNumSeqs * 2048,
    blockTokens: options.blockTokens ?? 16,
    prefixCacheBlocks: 0,
    prefillTokensPerSecond: options.prefillTokensPerSecond ?? DEFAULT_PREFILL_TOKENS_PER_SECOND,
    sharedPrefill: options.sharedPrefill ?? false,
    clock: options.clock ?? realClock,
  };
  if (typeof resolved.sharedPrefill !== 'boolean') throw new RangeError(`LLM simulator option sharedPrefill must be true or false, got ${String(resolved.sharedPrefill)}`);
  if (typeof resolved.host !== 'string' || resolved.host === '') throw new RangeError('LLM simulator option host must be a non-empty string');
  if (typeof resolved.modelName !== 'string' || resolved.modelName === '') throw new RangeError('LLM simulator option modelName must be a non-empty string');
  check('port', resolved.port, Number.isInteger(resolved.port) && resolved.port >= 0 && resolved.port <= 65535, 'an integer in [0, 65535]');
  validateSimulatorPatch(resolved);
  checkPositiveInteger('outputTokens', resolved.outputTokens);
  checkPositiveInteger('maxNumSeqs', resolved.maxNumSeqs);
  checkPositiveInteger('kvBlocksTotal', resolved.kvBlocksTotal);
  check('maxModelLen', resolved.maxModelLen, Number.isInteger(resolved.maxModelLen) && resolved.maxModelLen >= 0, 'an integer >= 0');
  checkPositiveInteger('blockTokens', resolved.blockTokens);
  resolved.prefixCacheBlocks = options.prefixCacheBlocks ?? Math.floor(resolved.kvBlocksTotal / resolved.blockTokens);
  check('prefixCacheBlocks', resolved.prefixCacheBlocks, Number.isInteger(resolved.prefixCacheBlocks) && resolved.prefixCacheBlocks >= 0, 'an integer >= 0');
  check('prefillTokensPerSecond', resolved.prefillTokensPerSecond, Number.isFinite(resolved.prefillTokensPerSecond) && resolved.prefillTokensPerSecond >= 0, 'a finite number >= 0');
  check('batchSlowdown', resolved.batchSlowdown, Number.isFinite(resolved.batchSlowdown) && resolved.batchSlowdown >= 0, 'a finite number >= 0');
  checkRate('jitter', resolved.jitter);
  check('seed', resolved.seed, Number.isFinite(resolved.seed), 'a finite number');
  return resolved;
}
