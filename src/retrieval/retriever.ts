export interface RetrievedPassage { documentId: string; chunkId: string; text: string; score: number; title?: string }
export interface RetrievalQuery { kb: string; text: string; topK: number }
export interface Retriever { search(query: RetrievalQuery, signal?: AbortSignal): Promise<RetrievedPassage[]> }
