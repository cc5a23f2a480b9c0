/**
 * Spans for an agent's work beside model calls — tool calls and retrieval — named and shaped as
 * the GenAI semantic conventions say. For the agent runner and the retrievers: each starts under
 * the span it runs for (the stage's, passed to `Stage.run`), and costs nothing with tracing off.
 * Arguments, results, queries and documents are recorded only when content capture is on.
 */

import { spanErrorType } from './span-error-type.js';
import type { Span } from './tracing.js';

export interface ToolCallSpanInfo {
  name: string;
  /** The model's id for this call (`call_…`). */
  callId?: string;
  /** `function` (run by the client), `extension` (an external API called by the agent), `datastore`. */
  type?: 'function' | 'extension' | 'datastore';
  description?: string;
  /** The arguments as the model sent them (JSON text); recorded only with content capture on. */
  arguments?: string;
}

/** `execute_tool {name}`, internal, with `gen_ai.operation.name = execute_tool` and the tool's name, id, type and description. */
export function startToolSpan(parent: Span, tool: ToolCallSpanInfo): Span {
  if (!parent.enabled) return parent;
  const span = parent.child(`execute_tool ${tool.name}`, 'internal', {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': tool.name,
    'gen_ai.tool.call.id': tool.callId,
    'gen_ai.tool.type': tool.type,
    'gen_ai.tool.description': tool.description,
  });
  if (span.capturesContent) span.setAttribute('gen_ai.tool.call.arguments', tool.arguments);
  return span;
}

/** Ends a tool span: failed with the error's `error.type`, or with the result (content capture only). */
export function endToolSpan(span: Span, outcome: { result?: string; error?: unknown }): void {
  if (!span.enabled) return;
  if (outcome.error !== undefined) span.fail(spanErrorType(outcome.error), outcome.error instanceof Error ? outcome.error.message : undefined);
  else if (span.capturesContent) span.setAttribute('gen_ai.tool.call.result', outcome.result);
  span.end();
}

export interface RetrievalSpanInfo {
  /** The knowledge base or search source (`gen_ai.data_source.id`). */
  dataSource: string;
  topK?: number;
  /** For an embeddings-backed retriever: who embeds the query, and with which model. */
  provider?: string;
  model?: string;
  /** The query text; recorded only with content capture on. */
  query?: string;
}

/** `retrieval {dataSource}`, client, with `gen_ai.operation.name = retrieval`. */
export function startRetrievalSpan(parent: Span, retrieval: RetrievalSpanInfo): Span {
  if (!parent.enabled) return parent;
  const span = parent.child(`retrieval ${retrieval.dataSource}`, 'client', {
    'gen_ai.operation.name': 'retrieval',
    'gen_ai.data_source.id': retrieval.dataSource,
    'gen_ai.request.top_k': retrieval.topK,
    'gen_ai.provider.name': retrieval.provider,
    'gen_ai.request.model': retrieval.model,
  });
  if (span.capturesContent) span.setAttribute('gen_ai.retrieval.query.text', retrieval.query);
  return span;
}

/** Ends a retrieval span with how many documents came back (always) and which ones with their scores (content capture only). */
export function endRetrievalSpan(span: Span, outcome: { documents?: readonly { id: string; score: number }[]; error?: unknown }): void {
  if (!span.enabled) return;
  if (outcome.error !== undefined) {
    span.fail(spanErrorType(outcome.error), outcome.error instanceof Error ? outcome.error.message : undefined);
  } else if (outcome.documents) {
    span.setAttribute('switchboard.retrieval.documents', outcome.documents.length);
    if (span.capturesContent) span.setAttribute('gen_ai.retrieval.documents', JSON.stringify(outcome.documents.map(({ id, score }) => ({ id, score }))));
  }
  span.end();
}
