/** Checks a RetrievalQuery at the edge of every Retriever, and the one error type retrieval throws. */

import type { RetrievalQuery } from './retriever.js';

export const maxTopK = 100;
export const maxQueryChars = 4000;

export type RetrievalErrorCode = 'invalid_query' | 'unknown_kb' | 'retrieval_failed';

export class RetrievalError extends Error {
  override readonly name = 'RetrievalError';
  readonly code: RetrievalErrorCode;

  constructor(code: RetrievalErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Throws an invalid_query RetrievalError naming the field, or unknown_kb when the query is for another knowledge base. */
export function checkRetrievalQuery(query: RetrievalQuery, kb: string): void {
  if (typeof query !== 'object' || query === null) throw new RetrievalError('invalid_query', 'the query must be an object with kb, text and topK');
  if (typeof query.text !== 'string' || query.text.trim() === '') throw new RetrievalError('invalid_query', 'text must be a non-empty string');
  if (query.text.length > maxQueryChars) throw new RetrievalError('invalid_query', `text must be at most ${maxQueryChars} characters, got ${query.text.length}`);
  if (!Number.isInteger(query.topK) || query.topK < 1 || query.topK > maxTopK) throw new RetrievalError('invalid_query', `topK must be an integer in [1, ${maxTopK}], got ${JSON.stringify(query.topK)}`);
  if (query.kb !== kb) throw new RetrievalError('unknown_kb', `this retriever serves knowledge base "${kb}", not ${JSON.stringify(query.kb)}`);
}
