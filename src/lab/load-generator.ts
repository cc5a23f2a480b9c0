/** The load generator's engine: drives chat or turn requests in a closed loop, open loop or spike and measures them. */

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { ExchangeContext } from './load-exchange.js';
import { LoadRecorder } from './load-recorder.js';
import { chatRequestBody, sendChatRequest } from './load-request-chat.js';
import { sendTurnRequest, TurnSessionPool, turnRequestBody } from './load-request-turn.js';
import { runClosedLoop, runOpenLoop, runSpike, type LoopDriver } from './load-loops.js';
import { buildLoadResult, type LoadMode, type LoadResult, type LoopDescription } from './load-result.js';

export type { LoadResult, LoadMode, LoopDescription, TimelinePoint } from './load-result.js';

export type LoopOptions =
  | { kind: 'closed'; concurrency: number }
  | { kind: 'open'; rate: number; poisson?: boolean }
  | { kind: 'spike'; spike: number };

export interface LoadOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  apiKey?: string;
  mode: LoadMode;
  loop: LoopOptions;
  stream?: boolean;
  /** Stop sending after this many seconds (closed and open loops). */
  durationS?: number;
  /** Stop after this many requests (closed and open loops). Without it or `durationS`, 10 s. */
  requests?: number;
  /** Per-request limit; default 60 s. */
  timeoutS?: number;
  /** Hard bound on the whole run, after which requests under way are cancelled; default duration + 120 s (600 s by request count). */
  maxSeconds?: number;
  model?: string;
  maxTokens?: number;
  prompt?: string;
  ttftTargetMs?: number;
  itlTargetMs?: number;
  /** Seeds the Poisson arrival gaps. */
  seed?: number;
  /** Called about every `progressIntervalMs` (default 250) while the run lasts. */
  onProgress?: (progress: LoadProgress) => void;
  progressIntervalMs?: number;
  /** Aborting it stops the run at once: requests under way are cancelled and the partial result returned. */
  signal?: AbortSignal;
  /** Called once when the measured part begins (after turn sessions are created), so a caller can open its own CPU window there. */
  onMeasuredStart?: () => void;
}

export interface LoadProgress {
  elapsedS: number;
  sent: number;
  ok: number;
  errors: number;
  inFlight: number;
  /** Median end-to-end latency of the last few hundred successes; NaN before the first. */
  p50Ms: number;
}

const DEFAULT_DURATION_S = 10;
const OPEN_LOOP_SESSION_PRIMING_CAP = 1_000;

function validate(options: LoadOptions): void {
  const positive = (value: number | undefined, name: string): void => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  };
  const loop = options.loop;
  if (loop.kind === 'closed' && !(Number.isInteger(loop.concurrency) && loop.concurrency >= 1)) throw new RangeError('concurrency must be an integer ≥ 1');
  if (loop.kind === 'spike' && !(Number.isInteger(loop.spike) && loop.spike >= 1)) throw new RangeError('spike must be an integer ≥ 1');
  if (loop.kind === 'open') positive(loop.rate, 'rate');
  positive(options.durationS, 'durationS');
  positive(options.timeoutS, 'timeoutS');
  positive(options.maxSeconds, 'maxSeconds');
  if (options.requests !== undefined && !(Number.isInteger(options.requests) && options.requests >= 1)) throw new RangeError('requests must be an integer ≥ 1');
  if (options.mode !== 'chat' && options.mode !== 'turn') throw new RangeError(`mode must be chat or turn, got ${String(options.mode)}`);
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`url must be http(s), got ${options.url}`);
}

function describeLoop(loop: LoopOptions): LoopDescription {
  if (loop.kind === 'closed') return { kind: 'closed', concurrency: loop.concurrency };
  if (loop.kind === 'open') return { kind: 'open', rate: loop.rate, poisson: loop.poisson ?? false };
  return { kind: 'spike', spike: loop.spike };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  validate(options);
  const loop = options.loop;
  const stream = options.stream ?? false;
  const timeoutMs = (options.timeoutS ?? 60) * 1000;
  const durationS = options.durationS ?? (options.requests === undefined && loop.kind !== 'spike' ? DEFAULT_DURATION_S : undefined);
  const requestLimit = loop.kind === 'spike' ? loop.spike : options.requests;
  const maxSeconds = options.maxSeconds ?? (durationS !== undefined && loop.kind !== 'spike' ? durationS + 120 : 600);
  const target = new URL(options.url);
  const publicUrl = `${target.origin}${target.pathname.replace(/\/+$/, '')}`;

  const connections = loop.kind === 'closed' ? loop.concurrency : loop.kind === 'spike' ? loop.spike : null;
  const pool = new Pool(target.origin, {
    // Closed loops and spikes never need more sockets than requests in flight; an open loop must never queue.
    connections,
    pipelining: 1,
    headersTimeout: timeoutMs + 1_000,
    bodyTimeout: timeoutMs + 1_000,
    keepAliveTimeout: 30_000,
    connect: { timeout: Math.min(timeoutMs, 30_000) },
  });

  const expected = requestLimit ?? Math.min(1 << 20, Math.ceil((durationS ?? DEFAULT_DURATION_S) * (loop.kind === 'open' ? loop.rate : loop.kind === 'closed' ? loop.concurrency * 20 : 1)));
  const recorder = new LoadRecorder(expected);
  let origin = performance.now();
  const context: ExchangeContext = {
    dispatcher: pool,
    origin: target.origin,
    basePath: target.pathname.replace(/\/+$/, ''),
    headers: {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'user-agent': 'switchboard-loadtest/0.1',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    },
    recorder,
    stream,
    timeoutMs,
    now: () => performance.now() - origin,
    live: new Set(),
    cancelled: false,
  };

  const prompt = options.prompt ?? 'Hello! Tell me about your return policy.';
  let sendOne: () => Promise<void>;
  let sessions: TurnSessionPool | undefined;
  if (options.mode === 'chat') {
    const body = chatRequestBody({ model: options.model ?? 'demo', prompt, maxTokens: options.maxTokens }, stream);
    sendOne = () => sendChatRequest(context, body);
  } else {
    const body = turnRequestBody(prompt, stream, options.maxTokens);
    const turnSessions = new TurnSessionPool(context);
    sessions = turnSessions;
    sendOne = () => sendTurnRequest(context, turnSessions, body);
  }

  // Hard stop: the time bound or the caller's signal cancels everything under way.
  let stopping = false;
  let stopSchedule: () => void = () => {};
  const hardStop = (): void => {
    stopping = true;
    context.cancelled = true;
    stopSchedule();
    for (const request of [...context.live]) request.cancel();
  };
  let startedAt = new Date();
  const hardStopTimer = setTimeout(hardStop, maxSeconds * 1000);
  const onAbort = (): void => hardStop();
  if (options.signal?.aborted) hardStop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const eventLoopDelay = monitorEventLoopDelay({ resolution: 10 });
  let progressTimer: NodeJS.Timeout | undefined;

  try {
    if (sessions && !stopping) {
      const primed = loop.kind === 'closed' ? loop.concurrency : loop.kind === 'spike' ? loop.spike : Math.min(OPEN_LOOP_SESSION_PRIMING_CAP, Math.ceil(loop.rate));
      await sessions.prepare(requestLimit === undefined ? primed : Math.min(primed, requestLimit), connections ?? 64);
    }

    options.onMeasuredStart?.();
    eventLoopDelay.enable();
    const cpuAtStart = process.cpuUsage();
    origin = performance.now();
    startedAt = new Date();
    const deadlineMs = durationS !== undefined && loop.kind !== 'spike' ? durationS * 1000 : Infinity;
    let sent = 0;
    const maySendAt = (atMs: number): boolean => !stopping && (requestLimit === undefined || sent < requestLimit) && atMs < deadlineMs;

    progressTimer = options.onProgress
      ? setInterval(() => {
          options.onProgress?.({
            elapsedS: context.now() / 1000,
            sent: recorder.requests,
            ok: recorder.ok,
            errors: recorder.errors,
            inFlight: recorder.inFlight,
            p50Ms: recorder.recentE2eP50(),
          });
        }, options.progressIntervalMs ?? 250)
      : undefined;

    const driver: LoopDriver = {
      now: context.now,
      maySendAt,
      send: () => {
        sent++;
        return sendOne();
      },
    };
    if (loop.kind === 'spike') await runSpike(driver, loop.spike);
    else if (loop.kind === 'closed') await runClosedLoop(driver, loop.concurrency);
    else await runOpenLoop(driver, { rate: loop.rate, poisson: loop.poisson, seed: options.seed ?? 1 }, (stop) => (stopSchedule = stop));

    const wallMs = context.now();
    const cpu = process.cpuUsage(cpuAtStart);
    eventLoopDelay.disable();
    return buildLoadResult(recorder, {
      startedAt,
      url: publicUrl,
      mode: options.mode,
      stream,
      loop: describeLoop(loop),
      wallMs,
      ttftTargetMs: options.ttftTargetMs ?? 500,
      itlTargetMs: options.itlTargetMs ?? 50,
      cpuMicros: cpu.user + cpu.system,
      eventLoopDelayP99Ms: eventLoopDelay.count > 0 ? eventLoopDelay.percentile(99) / 1e6 : 0,
    });
  } finally {
    eventLoopDelay.disable();
    if (progressTimer) clearInterval(progressTimer);
    clearTimeout(hardStopTimer);
    options.signal?.removeEventListener('abort', onAbort);
    await pool.destroy().catch(() => {});
  }
}
