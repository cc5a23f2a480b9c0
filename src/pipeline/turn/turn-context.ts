/** The state of one turn as it moves through the pipeline; nothing of a turn lives on shared objects. */

import type { AgentRunResult, ToolCallRecord } from '../../agents/agent-runner.js';
import type { ToolCall } from '../../chat/chat-types.js';
import type { AgentConfig } from '../../config/config-schema.js';
import type { RequestExperiments } from '../../experiments/request-experiments.js';
import type { IntentResult, IntentSource } from '../../intent/intent-classifier.js';
import type { ChatCallResult } from '../../chat/chat-types.js';
import type { RouteDecision } from '../../models/route-decision.js';
import type { Session } from '../../stores/store-types.js';
import type { RequestContext } from '../request-context.js';

export type TurnStageName = 'load-session' | 'detect-intent' | 'select-agent' | 'assign-variant' | 'run-agent' | 'save-session';
/** Every stage a turn's timings may name: the lifecycle's two, then the turn's own, and inside run-agent the time in retrieval and in tools. */
export type StageName = 'authenticate' | 'admit' | TurnStageName | 'retrieval' | 'tools';

/** How a streaming turn tells its transport what happened, as it happens. */
export interface TurnEvents {
  intent(context: TurnContext): Promise<void> | void;
  delta(text: string): Promise<void> | void;
  toolCall(call: ToolCall): Promise<void> | void;
  toolResult(record: ToolCallRecord): Promise<void> | void;
}

export interface TurnContext extends RequestContext {
  readonly sessionId: string;
  readonly content: string;
  readonly requestedAgent: string | undefined;
  readonly maxTokens: number | undefined;
  readonly idempotencyKey: string | undefined;
  /** The session id and body's hash, what a retry with the same idempotency key must match; '' when no key came (nothing compares it). */
  readonly requestHash: string;
  readonly signal: AbortSignal;
  /** Present when the turn streams. */
  readonly events: TurnEvents | undefined;
  readonly startedAt: number;
  session?: Session;
  /** The holder id of the session lease this turn took at load; released when the turn ends. */
  leaseHolder?: string;
  intent?: IntentResult;
  agentName?: string;
  /** The agent that answers: the intent's, or an experiment variant's. */
  agent?: AgentConfig;
  /** The experiments the turn is in, when any applies. */
  experiments?: RequestExperiments;
  decision?: RouteDecision;
  result?: ChatCallResult;
  /** The tool loop's record: the steps, the tool exchanges to commit, the calls and citations for the reply. */
  run?: Omit<AgentRunResult, 'result' | 'decision'>;
  /** Set when an earlier turn with the same idempotency key answered already. */
  replay?: TurnReply;
  reply?: TurnReply;
  /**
   * A retry with the same idempotency key committed first, so the stored reply stands instead
   * of the one this turn generated (and may have streamed).
   */
  supersededByDuplicate?: boolean;
}

/** The body of a turn's answer (docs/api-turns.md). */
export interface TurnReply {
  object: 'session.turn';
  /** The turn's id, for feedback (`POST /v1/feedback`). */
  turn_id: string;
  session_id: string;
  version: number;
  message: { role: 'assistant'; content: string };
  intent: ReplyIntent;
  agent: string;
  route: { name: string; pool: string; instance: string; rule: string; attempts: number };
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** Model calls the turn made: one plus one per round of tool calls. */
  steps: number;
  /** The tools the agent called, in order, with a summary of each result. */
  tool_calls: { id: string; name: string; arguments: string; ok: boolean; duration_ms: number; summary: string }[];
  /** The knowledge-base passages the agent was given (in its prompt or by its search tool). */
  citations: { document_id: string; chunk_id: string }[];
  /** The experiments the turn was in and the variant that served it. */
  experiments: { experiment: string; variant: string; counted: boolean }[];
  timings: Partial<Record<StageName, number>>;
}

/** How a reply and the `intent` SSE event tell the intent: the tier that decided (`source` is its older name) and its confidence. */
export interface ReplyIntent {
  name: string;
  confidence: number;
  margin: number;
  tier: IntentSource;
  source: IntentSource;
  out_of_scope?: true;
  /** The agents a clarifying question offered. */
  choices?: string[];
}

export function intentOfReply(intent: IntentResult): ReplyIntent {
  const reply: ReplyIntent = { name: intent.intent, confidence: intent.confidence, margin: intent.margin, tier: intent.source, source: intent.source };
  if (intent.outOfScope) reply.out_of_scope = true;
  if (intent.choices) reply.choices = intent.choices;
  return reply;
}
