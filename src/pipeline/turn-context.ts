/** The state of one turn as it moves through the pipeline; nothing of a turn lives on shared objects. */

import type { AgentConfig } from '../config/config-schema.js';
import type { IntentResult } from '../intent/intent-classifier.js';
import type { ChatCallResult, TokenUsage } from '../models/chat-types.js';
import type { RouteDecision } from '../models/model-router.js';
import type { ApiKeyRecord, Session } from '../stores/store-types.js';

export type StageName = 'authenticate' | 'admit' | 'load-session' | 'detect-intent' | 'select-agent' | 'run-agent' | 'save-session';

/** How a streaming turn tells its transport what happened, as it happens. */
export interface TurnEvents {
  intent(context: TurnContext): Promise<void> | void;
  delta(text: string): Promise<void> | void;
}

export interface TurnContext {
  readonly sessionId: string;
  readonly content: string;
  readonly authorization: string | undefined;
  readonly requestedAgent: string | undefined;
  readonly maxTokens: number | undefined;
  readonly idempotencyKey: string | undefined;
  readonly requestHash: string;
  readonly signal: AbortSignal;
  /** Present when the turn streams. */
  readonly events: TurnEvents | undefined;
  readonly startedAt: number;
  /** Milliseconds per stage, in order. */
  readonly timings: Partial<Record<StageName, number>>;
  caller?: ApiKeyRecord;
  /** Gives the admission slot back; the transport calls it when the response is over. */
  release?: () => void;
  session?: Session;
  intent?: IntentResult;
  agentName?: string;
  agent?: AgentConfig;
  decision?: RouteDecision;
  result?: ChatCallResult;
  usage?: TokenUsage;
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
  session_id: string;
  version: number;
  message: { role: 'assistant'; content: string };
  intent: { name: string; confidence: number; source: string };
  agent: string;
  route: { name: string; pool: string; instance: string; rule: string; attempts: number };
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  timings: Partial<Record<StageName, number>>;
}
