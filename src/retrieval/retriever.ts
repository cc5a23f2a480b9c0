import type { ModelCallListener } from '../models/route-embedder.js';

export interface RetrievedPassage { documentId: string; chunkId: string; text: string; score: number; title?: string }
export interface RetrievalQuery { kb: string; text: string; topK: number }
export interface Retriever {
  /** `modelCalled` hears of each model call the search makes (the query's embedding), so the caller's tenant pays for it. */
  search(query: RetrievalQuery, signal?: AbortSignal, modelCalled?: ModelCallListener): Promise<RetrievedPassage[]>;
}
