/** The LLM simulator's HTTP server: OpenAI and Anthropic generation endpoints, OpenAI embeddings, models, health and vLLM-style metrics over one simulated engine. */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicSimulatorFormat } from './anthropic-simulator-format.js';
import { parseEmbeddingsRequest, writeEmbeddings } from './openai-embeddings-format.js';
import { openAiSimulatorFormat } from './openai-simulator-format.js';
import { mix32, SeededRandom } from '../stats/seeded-random.js';
import { PrefixCache } from './prefix-cache.js';
import { planAnswer } from './simulated-answer.js';
import { SimulatedEngine } from './simulated-engine.js';
import { SimulatedGeneration, type GenerationContext, type SimulatorCounters } from './simulated-generation.js';
import { SimulatorMetrics } from './simulator-metrics.js';
import { resolveSimulatorOptions, validateSimulatorPatch, type LlmSimulatorOptions, type SimulatorPatch } from './llm-simulator-options.js';
import { errorStatus, writeJson, type SimulatedErrorKind, type WireFormat } from './simulator-wire-format.js';

export type { LlmSimulatorOptions } from './llm-simulator-options.js';

export interface LlmSimulatorStats {
  received: number;
  completed: number;
  injectedErrors: number;
  disconnects: number;
  /** Clients that went away before their answer was complete (their sequences were removed at once). */
  clientAborts: number;
  /** Embeddings requests answered (injected errors not included). */
  embeddings: number;
  running: number;
  waiting: number;
  peakRunning: number;
}

export interface LlmSimulator {
  /** `http://HOST:PORT`, no trailing slash, no `/v1`. */
  readonly url: string;
  readonly port: number;
  /** Counters for tests. `received` counts every POST to a generation endpoint, valid or not. */
  stats(): LlmSimulatorStats;
  /** Changes fault and latency knobs at run time; latencies apply to sequences admitted (TTFT) or steps taken (ITL) afterwards. */
  configure(patch: SimulatorPatch): void;
  /** Closes the server, destroys open sockets and clears the engine's timer. */
  close(): Promise<void>;
}

const READ_PATHS = new Set(['/v1/models', '/health', '/metrics']);
const MAX_BODY_BYTES = 16 * 1024 * 1024;

class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
    // A client that leaves mid-body: settles the promise (a no-op after 'end') so nothing waits forever.
    request.once('close', () => reject(new Error('The client closed the connection before the body ended')));
  });
}

/** `127.0.0.1` for a wildcard bind, brackets for IPv6: an address a client can dial. */
function dialableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

class HttpLlmSimulator implements LlmSimulator {
  readonly port: number;
  readonly url: string;
  private readonly context: GenerationContext;
  private readonly requestRandom: SeededRandom;
  private readonly embeddingRandom: SeededRandom;
  private readonly modelsBody: string;
  private errorRate: number;
  private disconnectRate: number;
  private nextId = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    private readonly options: Required<LlmSimulatorOptions>,
    engine: SimulatedEngine,
  ) {
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.url = `http://${dialableHost(options.host)}:${address.port}`;
    const counters: SimulatorCounters = { received: 0, completed: 0, injectedErrors: 0, disconnects: 0, clientAborts: 0, embeddings: 0 };
    const cacheConfig = { blockTokens: options.blockTokens, kvBlocks: Math.floor(options.kvBlocksTotal / options.blockTokens), prefixCaching: engine.prefixCache !== undefined };
    const clock = options.clock;
    this.context = { engine, metrics: new SimulatorMetrics(options.modelName, cacheConfig), counters, now: () => clock.now() };
    // Request-level draws have their own stream, so texts and faults depend only on the order of requests, not on step timing.
    this.requestRandom = new SeededRandom(mix32(options.seed, 1));
    // Embeddings draw from a stream of their own, so they leave the chat answers' sequence as it was.
    this.embeddingRandom = new SeededRandom(mix32(options.seed, 3));
    this.errorRate = options.errorRate;
    this.disconnectRate = options.disconnectRate;
    this.modelsBody = JSON.stringify({
      object: 'list',
      data: [{ id: options.modelName, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'switchboard-sim', max_model_len: options.maxModelLen || 2048 }],
    });
  }

  stats(): LlmSimulatorStats {
    const { engine, counters } = this.context;
    return { ...counters, running: engine.runningCount, waiting: engine.waitingCount, peakRunning: engine.peakRunning };
  }

  configure(patch: SimulatorPatch): void {
    validateSimulatorPatch(patch);
    const settings = this.context.engine.settings;
    if (patch.errorRate !== undefined) this.errorRate = patch.errorRate;
    if (patch.disconnectRate !== undefined) this.disconnectRate = patch.disconnectRate;
    if (patch.stallMs !== undefined) settings.stallMs = patch.stallMs;
    if (patch.ttftMs !== undefined) settings.ttftMs = patch.ttftMs;
    if (patch.itlMs !== undefined) settings.itlMs = patch.itlMs;
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.context.engine.shutdown();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = request.method ?? 'GET';
    if (path === '/v1/chat/completions' || path === '/v1/messages') {
      const format = path === '/v1/messages' ? anthropicSimulatorFormat : openAiSimulatorFormat;
      if (method !== 'POST') return format.writeError(response, 'method_not_allowed', `${method} is not allowed on ${path}; use POST`);
      this.context.counters.received++;
      return this.readJson(request, response, format, (json) => this.generate(request, response, format, json));
    }
    if (path === '/v1/embeddings') {
      if (method !== 'POST') return openAiSimulatorFormat.writeError(response, 'method_not_allowed', `${method} is not allowed on ${path}; use POST`);
      return this.readJson(request, response, openAiSimulatorFormat, (json) => this.embed(response, json));
    }
    if (!READ_PATHS.has(path)) return openAiSimulatorFormat.writeError(response, 'not_found', `No route for ${method} ${path}`);
    if (method !== 'GET' && method !== 'HEAD') return openAiSimulatorFormat.writeError(response, 'method_not_allowed', `${method} is not allowed on ${path}; use GET`);
    if (path === '/v1/models') return writeJson(response, 200, this.modelsBody);
    if (path === '/health') {
      response.writeHead(200, { 'content-length': 0 });
      response.end();
      return;
    }
    if (path === '/metrics') {
      const { engine, metrics } = this.context;
      const text = metrics.render({
        running: engine.runningCount,
        waiting: engine.waitingCount,
        kvCacheUsage: engine.kvCacheUsage,
        promptTokensTotal: engine.promptTokensTotal,
        generationTokensTotal: engine.generatedTokensTotal,
        prefixCacheQueriesTotal: engine.prefixCacheQueriesTotal,
        prefixCacheHitsTotal: engine.prefixCacheHitsTotal,
      });
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    }
  };

  /** Reads a POST body and parses it; a body too large or not JSON is answered here in the dialect's error shape. */
  private readJson(request: IncomingMessage, response: ServerResponse, format: WireFormat, onJson: (json: unknown) => void): void {
    readBody(request).then(
      (body) => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch (error) {
          return format.writeError(response, 'invalid_request', `The request body is not valid JSON: ${(error as Error).message}`);
        }
        onJson(json);
      },
      (error: unknown) => {
        if (error instanceof BodyTooLargeError) format.writeError(response, 'too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes`);
        else if (!response.headersSent) response.destroy();
      },
    );
  }

  /** Embeddings answer at once: the engine models generation, and an embedding is one prefill with nothing to stream. */
  private embed(response: ServerResponse, json: unknown): void {
    const format = openAiSimulatorFormat;
    const parsed = parseEmbeddingsRequest(json, this.options.modelName);
    if (!parsed.ok) return format.writeError(response, 'invalid_request', parsed.message, parsed.param);
    const errorDraw = this.embeddingRandom.next();
    const errorKindDraw = this.embeddingRandom.next();
    if (errorDraw < this.errorRate) return this.injectError(response, format, errorKindDraw);
    this.context.counters.embeddings++;
    this.context.metrics.countEmbeddings(parsed.inputs.length, parsed.promptTokens);
    writeEmbeddings(response, parsed);
  }

  private injectError(response: ServerResponse, format: WireFormat, kindDraw: number): void {
    this.context.counters.injectedErrors++;
    const kind: SimulatedErrorKind = kindDraw < 1 / 3 ? 'rate_limited' : kindDraw < 2 / 3 ? 'internal' : 'unavailable';
    format.writeError(response, kind, `Simulated ${errorStatus[kind]} injected by the LLM simulator (errorRate ${this.errorRate})`);
  }

  private generate(request: IncomingMessage, response: ServerResponse, format: WireFormat, json: unknown): void {
    const parsed = format.parse(json, this.options.modelName);
    if (!parsed.ok) return format.writeError(response, 'invalid_request', parsed.message, parsed.param);
    // The client may have left while its body was read; nothing would ever cancel its sequence then.
    if (response.destroyed || request.socket.destroyed) return;

    // A fixed number of draws per request keeps the stream aligned whatever the rates are.
    const random = this.requestRandom;
    const errorDraw = random.next();
    const errorKindDraw = random.next();
    const textSeed = random.nextUint32();
    const ttftDraw = random.next();
    const disconnectDraw = random.next();
    const disconnectPointDraw = random.next();

    if (errorDraw < this.errorRate) return this.injectError(response, format, errorKindDraw);
    const { outputTokens, maxModelLen } = this.options;
    const { maxTokens, stream } = parsed.request;
    const requestedTokens = parsed.request.promptTokens + (maxTokens ?? 0);
    if (maxModelLen > 0 && requestedTokens > maxModelLen) {
      const message = `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${requestedTokens} tokens (${parsed.request.promptTokens} in the messages, ${maxTokens ?? 0} in the completion). Please reduce the length of the messages or completion.`;
      return format.writeError(response, 'context_length', message, 'messages');
    }
    const answer = planAnswer(parsed.conversation, textSeed, format.toolCallIdPrefix);
    const naturalTokens = answer.naturalTokens ?? outputTokens;
    const targetTokens = maxTokens === undefined ? naturalTokens : Math.min(naturalTokens, maxTokens);
    // Seeded words have no end of their own: a cap at or below outputTokens cuts them. A planned answer is cut only by a smaller cap.
    const cut = maxTokens !== undefined && (answer.naturalTokens === undefined ? maxTokens <= outputTokens : maxTokens < answer.naturalTokens);
    const cache = this.context.engine.prefixCache;
    const generation = new SimulatedGeneration(this.context, response, format, parsed.request, {
      id: format.idPrefix + (++this.nextId).toString(36).padStart(8, '0'),
      answer,
      textSeed,
      targetTokens,
      finishReason: cut ? 'length' : answer.finishReason,
      disconnectAfterTokens: stream && disconnectDraw < this.disconnectRate ? 1 + Math.floor(disconnectPointDraw * targetTokens) : 0,
      ttftDraw,
      promptBlocks: cache === undefined ? undefined : parsed.prompt.blockHashes(cache.blockTokens),
    });
    generation.start();
  }
}

export async function startLlmSimulator(options: LlmSimulatorOptions = {}): Promise<LlmSimulator> {
  const resolved = resolveSimulatorOptions(options);
  const engine = new SimulatedEngine(
    {
      ttftMs: resolved.ttftMs,
      itlMs: resolved.itlMs,
      stallMs: resolved.stallMs,
      maxNumSeqs: resolved.maxNumSeqs,
      batchSlowdown: resolved.batchSlowdown,
      jitter: resolved.jitter,
      kvCapacityTokens: resolved.kvBlocksTotal,
      prefillTokensPerSecond: resolved.prefillTokensPerSecond,
      sharedPrefill: resolved.sharedPrefill,
    },
    new SeededRandom(mix32(resolved.seed, 2)),
    resolved.clock,
    resolved.prefixCacheBlocks > 0 ? new PrefixCache(resolved.blockTokens, resolved.prefixCacheBlocks) : undefined,
  );
  const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep backlog: benchmarks open thousands of connections in the same instant.
    server.listen({ port: resolved.port, host: resolved.host, backlog: 8192 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const simulator = new HttpLlmSimulator(server, resolved, engine);
  server.on('request', simulator.handle);
  return simulator;
}
