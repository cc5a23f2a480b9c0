/**
 * The tool loop of one turn: a model call, the tools it asks for (in parallel), their results back to the model,
 * until it answers in text — within the agent's step limit, per-tool timeout, turn deadline and token budget.
 * A tool that fails or times out becomes an error result the model reads; only the model calls can fail the turn.
 */

import type { ChatCallRequest, ChatCallResult, ChatMessage, TokenUsage } from '../chat/chat-types.js';
import type { AgentLimits } from '../config/schemas/agent-tool-schema.js';
import { SwitchboardError } from '../errors.js';
import type { ModelRouter, RouterCallOptions, RoutingHints } from '../models/model-router.js';
import { newDecision, type RouteDecision } from '../models/route-decision.js';
import type { Citation } from './agent-tool.js';
import type { AgentRunInput, AgentRunResult, ToolCallRecord } from './agent-run-types.js';
import { LinkedAbort } from './linked-abort.js';
import type { TurnDeadline } from './turn-deadline.js';
import { runToolCall } from './run-tool-call.js';
import { streamModelStep } from './stream-model-step.js';

export type { AgentRunInput, AgentRunListener, AgentRunResult, ToolCallRecord } from './agent-run-types.js';

/** The router's two calls: the loop needs nothing else of it, and always hands them a real AbortSignal (its deadline's). */
export interface AgentRouter {
  call(route: string, request: ChatCallRequest, signal: AbortSignal, hints?: RoutingHints, options?: RouterCallOptions): ReturnType<ModelRouter['call']>;
  stream(route: string, request: ChatCallRequest, signal: AbortSignal, hints?: RoutingHints, options?: RouterCallOptions): ReturnType<ModelRouter['stream']>;
}

function deadlineError(limits: AgentLimits): SwitchboardError {
  return new SwitchboardError('turn_deadline_exceeded', `The turn took longer than the agent's limits.turnDeadlineMs (${limits.turnDeadlineMs} ms); nothing was written.`);
}

export async function runAgentLoop(router: AgentRouter, input: AgentRunInput): Promise<AgentRunResult> {
  const deadline = armDeadline(input);
  try {
    return await loop(router, input, deadline);
  } finally {
    deadline.dispose();
  }
}

/** On the request's own signal when its owner can arm one (one controller per request), else a controller linked to it. */
function armDeadline(input: AgentRunInput): TurnDeadline {
  const shared = input.deadlines?.armDeadline(input.limits.turnDeadlineMs);
  if (shared !== undefined && shared.signal === input.signal) return shared;
  shared?.dispose();
  return new LinkedAbort(input.signal, input.limits.turnDeadlineMs);
}

async function loop(router: AgentRouter, input: AgentRunInput, deadline: TurnDeadline): Promise<AgentRunResult> {
  const { limits, listener } = input;
  const signal = deadline.signal;
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
    let decision: RouteDecision = newDecision(input.route);
    input.callStarted?.(decision);
    const options = { ...input.options, decision };
    try {
      if (input.stream) {
        ({ result, decision } = await streamModelStep(router, input, request, signal, firstPart, options));
      } else {
        ({ result, decision } = await router.call(input.route, request, signal, input.hints, options));
        firstPart();
      }
    } catch (error) {
      if (deadline.timedOut && !deadline.callerLeft) throw deadlineError(limits);
      throw error;
    }
    input.modelCalled(decision, result.usage);
    usage.promptTokens += result.usage.promptTokens;
    usage.completionTokens += result.usage.completionTokens;
    const calls = result.toolCalls ?? [];
    // A stop for tool calls without the calls: an adapter that dropped them. Answering with empty text would hide it.
    if (calls.length === 0 && result.finishReason === 'tool_calls') {
      throw new SwitchboardError('upstream_error', `The model on route "${input.route}" stopped to call tools but no tool call reached Switchboard (the provider adapter does not pass them on).`);
    }
    // A call the model makes when none may be made is not run: the loop ends with what text it gave.
    if (calls.length === 0 || !mayCall) {
      return { result: { ...result, usage, toolCalls: undefined }, decision, steps: step, added, toolCalls: records, citations, toolMs };
    }
    added.push({ role: 'assistant', content: result.text, toolCalls: calls });
    const started = performance.now();
    const outcomes = await Promise.all(calls.map((call) => runToolCall(call, input.tools, limits.toolTimeoutMs, signal, listener, input.options.parent, input.modelCalled)));
    toolMs += performance.now() - started;
    if (deadline.timedOut && !deadline.callerLeft) throw deadlineError(limits);
    input.signal.throwIfAborted();
    for (const outcome of outcomes) {
      added.push({ role: 'tool', content: outcome.content, toolCallId: outcome.record.id });
      records.push(outcome.record);
      if (outcome.citations) citations.push(...outcome.citations);
    }
  }
}
