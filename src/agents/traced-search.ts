/** A retriever's search under its own `retrieval {kb}` span when the turn is traced; the plain search when it is not. */

import type { ModelCallListener } from '../models/route-embedder.js';
import type { RetrievalQuery, RetrievedPassage, Retriever } from '../retrieval/retriever.js';
import { endRetrievalSpan, startRetrievalSpan } from '../telemetry/gen-ai-spans.js';
import type { Span } from '../telemetry/tracing.js';

export async function tracedSearch(retriever: Retriever, query: RetrievalQuery, signal: AbortSignal, parent: Span | undefined, modelCalled?: ModelCallListener): Promise<RetrievedPassage[]> {
  if (!parent?.enabled) return retriever.search(query, signal, modelCalled);
  const span = startRetrievalSpan(parent, { dataSource: query.kb, topK: query.topK, query: query.text });
  try {
    const passages = await retriever.search(query, signal, modelCalled);
    endRetrievalSpan(span, { documents: passages.map((passage) => ({ id: `${passage.documentId}#${passage.chunkId}`, score: passage.score })) });
    return passages;
  } catch (error) {
    endRetrievalSpan(span, { error });
    throw error;
  }
}
