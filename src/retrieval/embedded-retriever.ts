/**
 * The embedded Retriever over one knowledge base of a SqliteKnowledgeIndex: BM25 over the chunks
 * and, when the knowledge base has an embedder, cosine similarity of the query's vector, the two
 * rankings fused by reciprocal rank. Each ranking contributes `candidates` (≥ topK) chunks.
 */

import type { Embedder, ModelCallListener } from '../models/route-embedder.js';
import { queryTerms } from './query-terms.js';
import { fuseRankings } from './reciprocal-rank-fusion.js';
import { checkRetrievalQuery, RetrievalError } from './retrieval-query.js';
import type { RetrievalQuery, RetrievedPassage, Retriever } from './retriever.js';
import type { SqliteKnowledgeIndex } from './sqlite-knowledge-index.js';

export interface EmbeddedRetrieverOptions {
  kb: string;
  index: SqliteKnowledgeIndex;
  /** Present when the knowledge base has an embeddings route. */
  embedder?: Embedder;
  /** How many chunks each ranking hands to the fusion, per result asked for. */
  candidatesPerResult?: number;
  /** A term in more than this share of the chunks is left out of BM25 when rarer terms remain. */
  commonTermShare?: number;
}

/** Scoring a thousand chunks is cheap: below it a knowledge base keeps plain BM25 over every term. */
const commonTermFloor = 1000;

export class EmbeddedRetriever implements Retriever {
  readonly kb: string;
  readonly #index: SqliteKnowledgeIndex;
  readonly #embedder: Embedder | undefined;
  readonly #candidatesPerResult: number;
  readonly #commonTermShare: number;

  constructor(options: EmbeddedRetrieverOptions) {
    this.kb = options.kb;
    this.#index = options.index;
    this.#embedder = options.embedder;
    this.#candidatesPerResult = options.candidatesPerResult ?? 4;
    this.#commonTermShare = options.commonTermShare ?? 0.1;
  }

  async search(query: RetrievalQuery, signal?: AbortSignal, modelCalled?: ModelCallListener): Promise<RetrievedPassage[]> {
    checkRetrievalQuery(query, this.kb);
    signal?.throwIfAborted();
    const candidates = Math.max(query.topK * this.#candidatesPerResult, 20);
    let queryVector: number[] | undefined;
    if (this.#embedder) {
      try {
        [queryVector] = await this.#embedder.embed([query.text], signal, modelCalled);
      } catch (error) {
        signal?.throwIfAborted();
        throw new RetrievalError('retrieval_failed', `knowledge base "${this.kb}": embedding the query failed: ${(error as Error).message}`, { cause: error });
      }
      signal?.throwIfAborted();
    }
    const terms = selectiveTerms(this.#index, this.kb, queryTerms(query.text), this.#commonTermShare);
    const byText = terms.length === 0 ? [] : this.#index.rankBm25(this.kb, terms, candidates).ids;
    const vectors = queryVector === undefined ? undefined : this.#index.vectorsOf(this.kb);
    const byVector = vectors === undefined || queryVector === undefined ? [] : vectors.search(queryVector, candidates).ids;
    const fused = fuseRankings(byVector.length === 0 ? [byText] : [byText, byVector], query.topK);
    const passages: RetrievedPassage[] = [];
    for (const [position, id] of fused.ids.entries()) {
      const chunk = this.#index.chunk(id);
      // A chunk replaced between the ranking and this read (another process ingesting) is skipped, never half-read.
      if (!chunk) continue;
      const passage: RetrievedPassage = { documentId: chunk.documentId, chunkId: `${chunk.documentId}#${chunk.chunkIndex}`, text: chunk.text, score: fused.scores[position]! };
      if (chunk.title !== null) passage.title = chunk.title;
      passages.push(passage);
    }
    return passages;
  }

}

/**
 * Drops terms found in more than `commonTermShare` of the chunks (and in more than 1,000) while
 * other terms remain; when all are common, the first is kept. BM25 gives such a term little weight
 * (its IDF is under a fifth of a rare term's), yet FTS5 would score every chunk that has it.
 * Lucene's common-terms query does the same. Counting stops at the limit, so it stays cheap.
 */
export function selectiveTerms(index: SqliteKnowledgeIndex, kb: string, terms: string[], commonTermShare: number): string[] {
  if (terms.length <= 1) return terms;
  const limit = Math.floor(Math.max(index.chunkCount(kb) * commonTermShare, commonTermFloor));
  const kept = terms.filter((term) => index.termFrequency(kb, term, limit + 1) <= limit);
  return kept.length > 0 ? kept : [terms[0]!];
}
