/** One generation request inside the simulator: the engine's listener that turns tokens into wire-format output, metrics and counters. */

import type { ServerResponse } from 'node:http';
import type { SequenceListener, SimulatedEngine, SimulatedSequence } from './simulated-engine.js';
import type { SimulatorFinishReason, SimulatorMetrics } from './simulator-metrics.js';
import type { GenerationRequest } from './simulator-requests.js';
import type { SimulatedAnswer } from './simulated-answer.js';
import type { StreamWriter, WireFormat } from './simulator-wire-format.js';

/** Counters the simulator reports through `stats()`. */
export interface SimulatorCounters {
  received: number;
  completed: number;
  injectedErrors: number;
  disconnects: number;
  clientAborts: number;
  embeddings: number;
}

/** What every generation shares with the simulator that owns it. */
export interface GenerationContext {
  readonly engine: SimulatedEngine;
  readonly metrics: SimulatorMetrics;
  readonly counters: SimulatorCounters;
  /** Milliseconds, monotonic: the engine's clock. */
  now(): number;
}

/** The fixed facts of one generation, decided before it enters the engine. */
export interface GenerationPlan {
  readonly id: string;
  readonly answer: SimulatedAnswer;
  readonly textSeed: number;
  readonly targetTokens: number;
  readonly finishReason: SimulatorFinishReason;
  /** Destroy the stream right after this many tokens; 0 = never. */
  readonly disconnectAfterTokens: number;
  readonly ttftDraw: number;
  /** The prompt's block hashes for the engine's prefix cache; undefined without one. */
  readonly promptBlocks: readonly number[] | undefined;
}

export class SimulatedGeneration implements SequenceListener {
  private sequence: SimulatedSequence | undefined;
  private writer: StreamWriter | undefined;
  private settled = false;
  private readonly arrivedAt: number;

  constructor(
    private readonly context: GenerationContext,
    private readonly response: ServerResponse,
    private readonly format: WireFormat,
    private readonly request: GenerationRequest,
    private readonly plan: GenerationPlan,
  ) {
    this.arrivedAt = context.now();
  }

  /** Sends the stream's headers (if streamed) and queues the sequence in the engine. */
  start(): void {
    if (this.request.stream) this.writer = this.format.openStream(this.response, this.request, this.plan.id);
    this.response.once('close', this.onResponseClose);
    this.sequence = this.context.engine.submit(this, this.request.promptTokens, this.plan.targetTokens, this.plan.ttftDraw, this.plan.promptBlocks);
  }

  onToken(index: number): void {
    if (index === 0) this.context.metrics.observeTimeToFirstToken((this.context.now() - this.arrivedAt) / 1000);
    if (this.writer === undefined) return;
    this.plan.answer.stream(this.writer, this.plan.textSeed, index);
    // write() returning false only means a slow reader's socket is buffering; a whole answer is a few KB, so keep going.
    if (index + 1 === this.plan.disconnectAfterTokens) this.disconnect();
  }

  onFinish(): void {
    this.settled = true;
    const { metrics, counters } = this.context;
    metrics.observeEndToEndLatency((this.context.now() - this.arrivedAt) / 1000);
    metrics.countFinished(this.plan.finishReason);
    counters.completed++;
    const { targetTokens, finishReason, answer, textSeed } = this.plan;
    const usage = { promptTokens: this.request.promptTokens, completionTokens: targetTokens, cachedTokens: this.sequence?.cachedTokens ?? 0 };
    if (this.writer !== undefined) this.writer.finish(usage, finishReason);
    else this.format.writeCompletion(this.response, this.request, this.plan.id, answer.whole(textSeed, targetTokens), usage, finishReason);
  }

  // A client that goes away frees its slot at once: nothing keeps generating for a closed socket.
  private readonly onResponseClose = (): void => {
    if (this.settled) return;
    this.settled = true;
    this.context.counters.clientAborts++;
    this.context.metrics.countCancelled();
    if (this.sequence !== undefined) this.context.engine.cancel(this.sequence);
  };

  /** The injected fault: the backend drops the connection mid-stream, after the tokens written so far reach the client. */
  private disconnect(): void {
    this.settled = true;
    this.context.counters.disconnects++;
    if (this.sequence !== undefined) this.context.engine.cancel(this.sequence);
    const socket = this.response.socket;
    if (socket === null) return;
    // end() flushes the pending chunk then sends FIN; the chunked body never gets its terminator, so the client sees a cut stream.
    socket.end();
    socket.once('finish', () => socket.destroy());
  }
}
