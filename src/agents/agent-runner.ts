/**
 * The tool loop of one turn: a model call, the tools it asks for (in parallel), their results back to the model,
 * until it answers in text — within the agent's step limit, per-tool timeout, turn deadline and token budget.
 * A tool that fails or times out becomes an error result the model reads; only the model calls can fail the turn.
 */

import type { ChatCallRequest, ChatCallResult, ChatMessage, ToolCall, TokenUsage } from '../chat/chat-types.js';
import type { AgentLimits } from '../config/schemas/agent-tool-schema.js';
import { SwitchboardError } from '../errors.js';
import type { ModelRouter, RouterCallOptions, RoutingHints } from '../models/model-router.js';
import type { RouteDecision } from '../models/route-decision.js';
import type { Citation } from './agent-tool.js';
import type { ToolSet } from './agent-toolbox.js';
import { runToolCall, type ToolCallRecord } from './run-tool-call.js';
import { streamModelStep } from './stream-model-step.js';

export type { ToolCallRecord } from './run-tool-call.js';

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
  stream: boolean;
  listener?: AgentRunListener;
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

/** The router's two calls: the loop needs nothing else of it. */
export type AgentRouter = Pick<ModelRouter, 'call' | 'stream'>;

function deadlineError(limits: AgentLimits): SwitchboardError {
  return new SwitchboardError('turn_deadline_exceeded', `The turn took longer than the agent's limits.turnDeadlineMs (${limits.turnDeadlineMs} ms); nothing was written.`);
}

export async function runAgentLoop(router: AgentRouter, input: AgentRunInput): Promise<AgentRunResult> {
  const { limits, listener } = input;
  const deadline = AbortSignal.timeout(limits.turnDeadlineMs);
  const signal = AbortSignal.any([input.signal, deadline]);
  const offered = input.tools.definitions.length > 0 ? [...input.tools.definitions] : undefined;
  const added: ChatMessage[] = [];
  const records: ToolCallRecord[] = [];
  const citations: Citation[] = [...(input.citations ?? [])];
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  let toolMs = 0;
  let first = true;
  const firstPart = () => {
    if (!first) return;
    first = false;
    listener?.firstPart?.();
  };
  for (let step = 1; ; step++) {
    // The last step and a spent budget still show the tools (the history holds calls of them) but forbid a call.
    const mayCall = step < limits.maxSteps && usage.promptTokens + usage.completionTokens < limits.maxTotalTokens;
    const request: ChatCallRequest = { ...input.request, messages: added.length === 0 ? input.messages : [...input.messages, ...added] };
    if (offered) {
      request.tools = offered;
      if (!mayCall) request.toolChoice = 'none';
    }
    let result: ChatCallResult;
    let decision: RouteDecision;
    try {
      if (input.stream) {
        ({ result, decision } = await streamModelStep(router, input, request, signal, firstPart));
      } else {
        ({ result, decision } = await router.call(input.route, request, signal, input.hints, input.options));
        firstPart();
      }
    } catch (error) {
      if (deadline.aborted && !input.signal.aborted) throw deadlineError(limits);
      throw error;
    }
    input.modelCalled(decision, result.usage);
    usage.promptTokens += result.usage.promptTokens;
    usage.completionTokens += result.usage.completionTokens;
    const calls = result.toolCalls ?? [];
    // A call the model makes when none may be made is not run: the loop ends with what text it gave.
    if (calls.length === 0 || !mayCall) {
      return { result: { ...result, usage, toolCalls: undefined }, decision, steps: step, added, toolCalls: records, citations, toolMs };
    }
    added.push({ role: 'assistant', content: result.text, toolCalls: calls });
    const started = performance.now();
    const outcomes = await Promise.all(calls.map((call) => runToolCall(call, input.tools, limits.toolTimeoutMs, signal, listener)));
    toolMs += performance.now() - started;
    if (deadline.aborted && !input.signal.aborted) throw deadlineError(limits);
    input.signal.throwIfAborted();
    for (const outcome of outcomes) {
      added.push({ role: 'tool', content: outcome.content, toolCallId: outcome.record.id });
      records.push(outcome.record);
      if (outcome.citations) citations.push(...outcome.citations);
    }
  }
}
