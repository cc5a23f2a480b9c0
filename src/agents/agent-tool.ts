/** What the tool loop runs: a tool the model may call, by the definition it is offered under. */

import type { Span } from '../telemetry/tracing.js';
import type { ToolDefinition } from '../chat/chat-types.js';
import type { ModelCallListener } from '../models/route-embedder.js';

/** A passage a tool handed the model, so the reply can cite it. */
export interface Citation {
  documentId: string;
  chunkId: string;
}

export interface ToolOutput {
  /** What the model reads as the tool's result. */
  content: string;
  citations?: Citation[];
}

export interface AgentTool {
  readonly definition: ToolDefinition;
  /** How a trace names it (`gen_ai.tool.type`): `extension` for an external API (the default), `datastore` for a search. */
  readonly spanType?: 'extension' | 'datastore';
  /** The tool's own time limit; the loop applies the shorter of it and the agent's `limits.toolTimeoutMs`. */
  readonly timeoutMs?: number;
  /**
   * Runs with arguments already validated against `definition.parameters`; throws on failure (the loop turns it
   * into an error result). A tool that calls a model itself (a search embedding its query) tells `modelCalled`.
   */
  invoke(args: Record<string, unknown>, signal: AbortSignal, span?: Span, modelCalled?: ModelCallListener): Promise<ToolOutput>;
}

/** A failure a tool explains to the model in its own words (an HTTP status, an MCP error). */
export class ToolFailure extends Error {
  override name = 'ToolError';
}
