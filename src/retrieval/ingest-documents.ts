/** Ingests documents into one knowledge base of the embedded index: chunk with overlap, embed in batches, replace each document at once. */

import { createHash } from 'node:crypto';
import type { Embedder } from '../models/route-embedder.js';
import { chunkText, type ChunkingOptions } from './chunk-text.js';
import type { KnowledgeDocument } from './knowledge-document.js';
import type { IngestedDocument, SqliteKnowledgeIndex } from './sqlite-knowledge-index.js';

export interface IngestOptions {
  chunking: ChunkingOptions;
  embedder?: Embedder;
  /** Names the embeddings route in the content hash, so a new route re-embeds unchanged text. */
  embeddingsRoute?: string;
  /** Texts per embeddings call. */
  batchSize?: number;
  signal?: AbortSignal;
}

export interface IngestReport {
  /** Documents written (new or changed). */
  written: number;
  /** Documents whose text, chunking and route were already ingested: left as they were. */
  unchanged: number;
  chunks: number;
}

export async function ingestDocuments(index: SqliteKnowledgeIndex, kb: string, documents: readonly KnowledgeDocument[], options: IngestOptions): Promise<IngestReport> {
  const stored = index.contentHashes(kb);
  const pending: IngestedDocument[] = [];
  let unchanged = 0;
  for (const document of documents) {
    const contentHash = createHash('sha256')
      .update(JSON.stringify([document.title ?? null, document.text, options.chunking.maxChars, options.chunking.overlapChars, options.embedder ? (options.embeddingsRoute ?? '') : null]))
      .digest('base64url');
    if (stored.get(document.id) === contentHash) {
      unchanged++;
      continue;
    }
    // The title leads every chunk's text for embedding, so a chunk deep in a product page still says which product it is.
    const chunks = chunkText(document.text, options.chunking).map((text) => ({ text }));
    pending.push({ id: document.id, ...(document.title === undefined ? {} : { title: document.title }), contentHash, chunks });
  }
  if (options.embedder) await embedChunks(pending, options.embedder, options.batchSize ?? 64, options.signal);
  options.signal?.throwIfAborted();
  index.replaceDocuments(kb, pending);
  return { written: pending.length, unchanged, chunks: pending.reduce((sum, document) => sum + document.chunks.length, 0) };
}

async function embedChunks(documents: IngestedDocument[], embedder: Embedder, batchSize: number, signal: AbortSignal | undefined): Promise<void> {
  const chunks = documents.flatMap((document) => document.chunks.map((chunk) => ({ chunk, input: document.title ? `${document.title}\n${chunk.text}` : chunk.text })));
  for (let start = 0; start < chunks.length; start += batchSize) {
    const batch = chunks.slice(start, start + batchSize);
    const vectors = await embedder.embed(batch.map((entry) => entry.input), signal);
    if (vectors.length !== batch.length) throw new Error(`the embeddings route answered ${vectors.length} vectors for ${batch.length} chunks`);
    for (const [position, entry] of batch.entries()) entry.chunk.vector = vectors[position]!;
  }
}
