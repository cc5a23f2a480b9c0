/** Retrieval for an agent: passages added to its system prompt (`prompt` mode) or a built-in `search_<kb>` tool (`tool` mode). */

import type { Span } from '../telemetry/tracing.js';
import { tracedSearch } from './traced-search.js';
import type { ToolDefinition } from '../chat/chat-types.js';
import type { AgentRetrievalConfig } from '../config/schemas/agent-tool-schema.js';
import type { ModelCallListener } from '../models/route-embedder.js';
import type { RetrievedPassage, Retriever } from '../retrieval/retriever.js';
import type { AgentTool, Citation, ToolOutput } from './agent-tool.js';

export function citationsOf(passages: readonly RetrievedPassage[]): Citation[] {
  return passages.map((passage) => ({ documentId: passage.documentId, chunkId: passage.chunkId }));
}

/** Each passage under its ids, so the model can name what it used and the reply can cite it. */
export function formatPassages(passages: readonly RetrievedPassage[]): string {
  if (passages.length === 0) return 'No passage of the knowledge base matched.';
  return passages.map((passage) => `[${passage.documentId}#${passage.chunkId}]${passage.title ? ` ${passage.title}:` : ''} ${passage.text}`).join('\n\n');
}

/** The system prompt with the passages found for the user's message. */
export function promptWithPassages(systemPrompt: string, kb: string, passages: readonly RetrievedPassage[]): string {
  return `${systemPrompt}\n\nUse these passages of the "${kb}" knowledge base and cite the ones you use by their [document#chunk] ids:\n\n${formatPassages(passages)}`;
}

export class RetrievalSearchTool implements AgentTool {
  readonly definition: ToolDefinition;
  readonly spanType = 'datastore';
  readonly #retriever: Retriever;
  readonly #settings: AgentRetrievalConfig;

  constructor(settings: AgentRetrievalConfig, retriever: Retriever) {
    this.#retriever = retriever;
    this.#settings = settings;
    this.definition = {
      name: `search_${settings.kb}`,
      description: `Search the ${settings.kb} knowledge base for passages that answer a question.`,
      parameters: { type: 'object', properties: { query: { type: 'string', description: 'What to look for, in words.' } }, required: ['query'], additionalProperties: false },
    };
  }

  async invoke(args: Record<string, unknown>, signal: AbortSignal, span?: Span, modelCalled?: ModelCallListener): Promise<ToolOutput> {
    const passages = await tracedSearch(this.#retriever, { kb: this.#settings.kb, text: String(args.query), topK: this.#settings.topK }, signal, span, modelCalled);
    return { content: formatPassages(passages), citations: citationsOf(passages) };
  }
}
