/**
 * A Retriever that asks an external search service over HTTP, so OpenSearch, a vector database or
 * a company search plugs in behind a small adapter. The contract (docs/retrieval.md):
 *   POST <url>  {"kb": "...", "query": "...", "topK": 5}
 *   200         {"passages": [{"documentId": "...", "chunkId": "...", "text": "...", "score": 1.5, "title": "..."}]}
 * Passages come back best first, at most topK; any other answer is an error naming what was wrong.
 */

import { z } from 'zod';
import { checkRetrievalQuery, RetrievalError } from './retrieval-query.js';
import type { RetrievalQuery, RetrievedPassage, Retriever } from './retriever.js';

export interface HttpRetrieverOptions {
  kb: string;
  url: string;
  /** Sent with every request, for example an Authorization header (resolved from the environment by the config). */
  headers?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  /** The largest response body read, in bytes. */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

const passageSchema = z
  .object({
    documentId: z.string().min(1),
    chunkId: z.string().min(1),
    text: z.string(),
    score: z.number().finite(),
    title: z.string().optional(),
  })
  .strict();
const responseSchema = z.object({ passages: z.array(passageSchema) }).strict();

export class HttpRetriever implements Retriever {
  readonly kb: string;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #fetch: typeof fetch;

  constructor(options: HttpRetrieverOptions) {
    this.kb = options.kb;
    this.#url = options.url;
    this.#headers = { ...options.headers, 'content-type': 'application/json', accept: 'application/json' };
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#maxResponseBytes = options.maxResponseBytes ?? 1 << 20;
    this.#fetch = options.fetch ?? fetch;
  }

  async search(query: RetrievalQuery, signal?: AbortSignal): Promise<RetrievedPassage[]> {
    checkRetrievalQuery(query, this.kb);
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const where = `knowledge base "${this.kb}" (${this.#url})`;
    let body: string;
    try {
      const response = await this.#fetch(this.#url, { method: 'POST', headers: this.#headers, body: JSON.stringify({ kb: query.kb, query: query.text, topK: query.topK }), signal: combined });
      body = await readCapped(response, this.#maxResponseBytes, where);
      if (!response.ok) throw new RetrievalError('retrieval_failed', `${where} answered ${response.status}: ${body.slice(0, 200)}`);
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof RetrievalError) throw error;
      if (timeout.aborted) throw new RetrievalError('retrieval_failed', `${where} did not answer within ${this.#timeoutMs} ms`, { cause: error });
      throw new RetrievalError('retrieval_failed', `${where}: ${(error as Error).message}`, { cause: error });
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      throw new RetrievalError('retrieval_failed', `${where} answered a body that is not JSON`);
    }
    const parsed = responseSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RetrievalError('retrieval_failed', `${where} answered an invalid body at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const passages = parsed.data.passages;
    if (passages.length > query.topK) throw new RetrievalError('retrieval_failed', `${where} answered ${passages.length} passages for topK ${query.topK}`);
    return passages.map((passage) => (passage.title === undefined ? { documentId: passage.documentId, chunkId: passage.chunkId, text: passage.text, score: passage.score } : { ...passage, title: passage.title }));
  }
}

async function readCapped(response: Response, maxBytes: number, where: string): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += part.byteLength;
    if (bytes > maxBytes) {
      throw new RetrievalError('retrieval_failed', `${where} answered more than ${maxBytes} bytes`);
    }
    text += decoder.decode(part, { stream: true });
  }
  return text + decoder.decode();
}
