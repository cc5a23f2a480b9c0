/**
 * run-agent: the agent's prompt (with retrieved passages in `prompt` mode) and the session's recent history go to the
 * agent's tool loop; streamed turns relay each delta, tool call and tool result. Nothing is written here.
 */

import type { Citation } from '../../agents/agent-tool.js';
import { runAgentLoop, type AgentRunListener } from '../../agents/agent-runner.js';
import { appendHistoryWindow } from '../../agents/history-window.js';
import { citationsOf, promptWithPassages } from '../../agents/retrieval-tools.js';
import type { ChatCallRequest, ChatMessage, TokenUsage } from '../../chat/chat-types.js';
import { noWatch } from '../../experiments/request-experiments.js';
import { newDecision, type RouteDecision } from '../../models/route-decision.js';
import type { RoutingHints } from '../../models/route-plan.js';
import { recordModelCall } from '../record-model-call.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext } from './turn-context.js';

type Services = Pick<TurnServices, 'router' | 'usage' | 'sessionSettings' | 'agentRuntime'>;

export const runAgentStage: Stage<TurnContext, Services> = {
  name: 'run-agent',
  async run(context, services, span) {
    const agent = context.agent!;
    // A clarifying question or a polite refusal: the turn answers it itself, and no model is called.
    const own = context.intent?.reply;
    if (own !== undefined) {
      context.decision = { ...newDecision(''), rule: `intent-${context.intent!.source === 'ask' ? 'ask' : 'refusal'}` };
      context.result = { text: own, finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } };
      context.run = { steps: 0, added: [], toolCalls: [], citations: [], toolMs: 0 };
      await context.events?.delta(own);
      return;
    }
    span.setAttribute('gen_ai.agent.name', context.agentName);
    span.setAttribute('gen_ai.conversation.id', context.sessionId);
    // An experiment variant's parameters replace the agent's and the caller's.
    const variant = context.experiments?.parameters;
    let systemPrompt = variant?.systemPrompt ?? agent.systemPrompt;
    // An experiment counts the turn's cost once, summed over its model calls (the retrieval's embedding
    // included), when the last one is priced; `watch` is set below, before the loop, and read only after it.
    let watch = noWatch;
    let costUsd = 0;
    let unpriced = 0;
    let looped = false;
    const priced = (usd: number) => {
      costUsd += usd;
      if (--unpriced === 0 && looped) watch.cost(costUsd);
    };
    // Every model call is paid for whether or not the turn then commits, so each is recorded as it ends.
    const modelCalled = (decision: RouteDecision, usage: TokenUsage) => {
      if (!context.caller) return;
      unpriced++;
      recordModelCall(services, context.caller.tenant, decision, usage, priced);
    };
    let citations: Citation[] | undefined;
    if (agent.retrieval?.mode === 'prompt') {
      const started = performance.now();
      const passages = await services.agentRuntime.passages(agent, context.content, context.signal, span, modelCalled);
      if (passages) {
        context.timer.record('retrieval', performance.now() - started);
        systemPrompt = promptWithPassages(systemPrompt, agent.retrieval.kb, passages);
        citations = citationsOf(passages);
      }
    }
    const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt }];
    appendHistoryWindow(messages, context.session!.messages, services.sessionSettings.historyWindow);
    messages.push({ role: 'user', content: context.content });
    const request: Omit<ChatCallRequest, 'messages'> = {
      model: '',
      maxTokens: variant?.maxTokens ?? context.maxTokens ?? agent.maxTokens,
      temperature: variant?.temperature ?? agent.temperature,
      sessionId: context.sessionId,
    };
    if (variant?.topP !== undefined) request.topP = variant.topP;
    // What the route's rules may look at: the agent, its intent and the caller's tenant and tier.
    const hints: RoutingHints = { tenant: context.caller?.tenant, tier: context.caller?.tier, agent: context.agentName, intent: context.intent?.intent };
    const tenant = context.caller?.tenant ?? '';
    const streamed = context.events !== undefined;
    watch = context.experiments?.watch({ route: agent.route, request: { ...request, messages }, hints, streamed, tenant }) ?? noWatch;
    const events = context.events;
    const listener: AgentRunListener = {
      firstPart() {
        watch.firstToken();
        watch.answerStarted();
      },
    };
    if (events) {
      listener.delta = (text) => events.delta(text);
      listener.toolCall = (call) => events.toolCall(call);
      listener.toolResult = (record) => events.toolResult(record);
    }
    const toolbox = services.agentRuntime.toolbox(agent);
    try {
      const tools = await toolbox.tools(context.signal);
      const run = await runAgentLoop(services.router, {
        route: agent.route,
        messages,
        request,
        tools,
        limits: agent.limits,
        hints,
        options: { override: context.experiments?.route, parent: span },
        // Filled in as each call moves down, so a failed turn still reports its route, pool and attempts.
        callStarted: (decision) => (context.decision = decision),
        signal: context.signal,
        deadlines: context.abort,
        stream: streamed,
        listener,
        citations,
        modelCalled,
      });
      watch.finished(run.decision, run.result.usage);
      looped = true;
      if (unpriced === 0) watch.cost(costUsd);
      context.result = run.result;
      context.decision = run.decision;
      context.run = { steps: run.steps, added: run.added, toolCalls: run.toolCalls, citations: run.citations, toolMs: run.toolMs };
      if (run.toolCalls.length > 0) context.timer.record('tools', run.toolMs);
      span.setAttribute('switchboard.agent.steps', run.steps);
    } catch (error) {
      // Abandoned only when the client left: a deadline on the shared signal is the turn's failure.
      watch.failed(context.abort !== undefined ? context.abort.clientGone : context.signal.aborted);
      throw error;
    }
  },
};
