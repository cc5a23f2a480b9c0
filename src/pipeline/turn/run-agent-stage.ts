/** run-agent: the agent's prompt plus the session's recent history goes to the model router; streamed turns relay each delta. */

import type { ChatCallRequest, ChatMessage } from '../../chat/chat-types.js';
import { noWatch } from '../../experiments/request-experiments.js';
import { newDecision } from '../../models/route-decision.js';
import type { RoutingHints } from '../../models/route-plan.js';
import { recordModelCall } from '../record-model-call.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext } from './turn-context.js';

export const runAgentStage: Stage<TurnContext, Pick<TurnServices, 'router' | 'usage' | 'sessionSettings'>> = {
  name: 'run-agent',
  async run(context, services, span) {
    const agent = context.agent!;
    // A clarifying question or a polite refusal: the turn answers it itself, and no model is called.
    const own = context.intent?.reply;
    if (own !== undefined) {
      context.decision = { ...newDecision(''), rule: `intent-${context.intent!.source === 'ask' ? 'ask' : 'refusal'}` };
      context.result = { text: own, finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } };
      await context.events?.delta(own);
      return;
    }
    span.setAttribute('gen_ai.agent.name', context.agentName);
    span.setAttribute('gen_ai.conversation.id', context.sessionId);
    const history = context.session!.messages;
    const window = services.sessionSettings.historyWindow;
    // An experiment variant's parameters replace the agent's and the caller's.
    const variant = context.experiments?.parameters;
    const messages: ChatMessage[] = [{ role: 'system', content: variant?.systemPrompt ?? agent.systemPrompt }];
    for (let index = Math.max(0, history.length - window); index < history.length; index++) {
      const stored = history[index]!;
      messages.push({ role: stored.role, content: stored.content });
    }
    messages.push({ role: 'user', content: context.content });
    const request: ChatCallRequest = {
      model: '',
      messages,
      maxTokens: variant?.maxTokens ?? context.maxTokens ?? agent.maxTokens,
      temperature: variant?.temperature ?? agent.temperature,
      sessionId: context.sessionId,
    };
    if (variant?.topP !== undefined) request.topP = variant.topP;
    // What the route's rules may look at: the agent, its intent and the caller's tenant and tier.
    const hints: RoutingHints = { tenant: context.caller?.tenant, tier: context.caller?.tier, agent: context.agentName, intent: context.intent?.intent };
    const override = context.experiments?.route;
    const tenant = context.caller?.tenant ?? '';
    const watch = context.experiments?.watch({ route: agent.route, request, hints, streamed: context.events !== undefined, tenant }) ?? noWatch;
    // Filled in as the call moves down, so a failed turn still reports its route, pool and attempts.
    context.decision = newDecision(agent.route);
    const options = { override, parent: span, decision: context.decision };
    try {
      if (!context.events) {
        const { result, decision } = await services.router.call(agent.route, request, context.signal, hints, options);
        watch.firstToken();
        watch.answerStarted();
        watch.finished(decision, result.usage);
        context.result = result;
        context.decision = decision;
      } else {
        const { decision, parts } = services.router.stream(agent.route, request, context.signal, hints, options);
        context.decision = decision;
        let text = '';
        let started = false;
        for await (const part of parts) {
          if (!started) {
            started = true;
            watch.firstToken();
            watch.answerStarted();
          }
          if (part.type === 'text-delta') {
            text += part.text;
            await context.events.delta(part.text);
          } else if (part.type === 'finish') {
            context.result = { text, finishReason: part.finishReason, usage: part.usage };
            watch.finished(decision, part.usage);
          }
        }
      }
    } catch (error) {
      watch.failed(context.signal.aborted);
      throw error;
    }
    // The model call is paid for whether or not the turn then commits, so it is recorded here.
    if (context.result && context.caller && context.decision) recordModelCall(services, context.caller.tenant, context.decision, context.result.usage, watch.cost);
  },
};
