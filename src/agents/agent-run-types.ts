/** The tool loop's input, listener and result, and the record of one tool call: shared by the runner and its steps. */

import type { ChatCallRequest, ChatCallResult, ChatMessage, ToolCall, TokenUsage } from '../chat/chat-types.js';
import type { AgentLimits } from '../config/schemas/agent-tool-schema.js';
import type { RouterCallOptions, RoutingHints } from '../models/model-router.js';
import type { RouteDecision } from '../models/route-decision.js';
import type { Citation } from './agent-tool.js';
import type { ToolSet } from './agent-toolbox.js';
import type { TurnDeadlineSource } from './turn-deadline.js';

/** What the reply and the stream say of a call: the result only as a short summary. */
export interface ToolCallRecord {
  id: string;
  name: string;
  arguments: string;
  ok: boolean;
  durationMs: number;
  summary: string;
}

/** What the transport hears while the loop runs (streamed turns turn these into SSE events). */
export interface AgentRunListener {
  /** The first part of the first model call arrived. */
  firstPart?(): void;
  delta?(text: string): Promise<void> | void;
  toolCall?(call: ToolCall): Promise<void> | void;
  toolResult?(record: ToolCallRecord): Promise<void> | void;
}

export interface AgentRunInput {
  route: string;
  /** The system prompt, the history window and the user's message. */
  messages: ChatMessage[];
  /** Everything of the request but the messages and tools, which the loop sets per step. */
  request: Omit<ChatCallRequest, 'messages' | 'tools' | 'toolChoice'>;
  tools: ToolSet;
  limits: AgentLimits;
  hints: RoutingHints;
  options: RouterCallOptions;
  signal: AbortSignal;
  /** The owner of `signal`, when it can carry the turn deadline itself (else the loop links a controller of its own to it). */
  deadlines?: TurnDeadlineSource;
  stream: boolean;
  listener?: AgentRunListener;
  /** Told of each model call as it starts, with the decision the router fills in as the call moves down. */
  callStarted?(decision: RouteDecision): void;
  /** Told of each finished model call, for accounting: every call is paid for, whether the turn commits or not. */
  modelCalled(decision: RouteDecision, usage: TokenUsage): void;
  /** Citations of passages already in the prompt (retrieval in `prompt` mode). */
  citations?: Citation[];
}

export interface AgentRunResult {
  /** The final answer; its usage is the sum over every model call of the turn. */
  result: ChatCallResult;
  /** The last call's decision. */
  decision: RouteDecision;
  /** Model calls made. */
  steps: number;
  /** The assistant tool-call messages and tool results, in order, between the user's message and the answer. */
  added: ChatMessage[];
  toolCalls: ToolCallRecord[];
  citations: Citation[];
  /** Wall time spent waiting for tools (parallel calls count once). */
  toolMs: number;
}

