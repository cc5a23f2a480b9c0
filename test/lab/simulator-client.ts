/** Test helpers for the LLM simulator: a raw node:http client that reports cut streams, and an SSE splitter. */

import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** False when the connection ended before the response did (a cut stream). */
  complete: boolean;
  /** performance.now() when the first body byte carrying a token arrived, if any. */
  firstTokenAt: number | undefined;
  startedAt: number;
}

export interface PostOptions {
  agent?: Agent;
  /** Called with each body chunk; return true to abort the request there. */
  onChunk?: (chunk: string) => boolean | void;
  /** Aborts the request this long after it was sent. */
  abortAfterMs?: number;
  /** Body substring that marks the first token (default: a content/text delta). */
  tokenMarker?: RegExp;
}

const DEFAULT_TOKEN_MARKER = /"(content|text)":"[^"]/;

/** POSTs JSON (or a raw string) and resolves with everything received, even when the server cuts the connection. */
export function post(baseUrl: string, path: string, body: unknown, options: PostOptions = {}): Promise<RawResponse> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      new URL(path, baseUrl),
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, agent: options.agent },
      (response) => {
        let text = '';
        let firstTokenAt: number | undefined;
        const marker = options.tokenMarker ?? DEFAULT_TOKEN_MARKER;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (firstTokenAt === undefined && marker.test(chunk)) firstTokenAt = performance.now();
          if (options.onChunk?.(chunk) === true) outgoing.destroy();
        });
        response.on('error', () => undefined);
        response.on('close', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text, complete: response.complete, firstTokenAt, startedAt }),
        );
      },
    );
    outgoing.on('error', (error) => {
      if (!outgoing.destroyed || (error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    if (options.abortAfterMs !== undefined) {
      const timer = setTimeout(() => outgoing.destroy(), options.abortAfterMs);
      outgoing.once('close', () => clearTimeout(timer));
    }
    outgoing.end(payload);
  });
}

export async function getText(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(new URL(path, baseUrl));
  return { status: response.status, body: await response.text() };
}

export { parseSse, type ParsedSseEvent as SseEvent } from '../support/sse.js';

/** The value of one sample line of Prometheus text, e.g. `vllm:num_requests_waiting{model_name="m"}`. */
export function metricValue(text: string, nameWithLabels: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(nameWithLabels + ' '));
  if (line === undefined) throw new Error(`no metric ${nameWithLabels}`);
  return Number(line.slice(nameWithLabels.length + 1));
}
