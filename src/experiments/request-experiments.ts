/**
 * The experiments one request is in and what they change about it: the route override, another
 * agent, prompt and generation parameters; and, once its model call starts, the observation that
 * counts the call for each counted variant and the shadow calls sampled for it.
 */

import type { ChatCallRequest, ChatMessage } from '../chat/chat-types.js';
import type { ModelRouter, RouteOverride, RoutingHints } from '../models/model-router.js';
import type { VariantRef } from '../stores/store-types.js';
import { noObservation, VariantCallObservation, type CallObservation, type ObservedVariant } from './call-observation.js';
import { liveVariant, type ExperimentDefinition } from './experiment-definition.js';
import type { ShadowMirror } from './shadow-mirror.js';
import type { StatsBuffer } from './stats-buffer.js';
import type { AssignedVariant } from './variant-assignment.js';

export interface VariantParameters {
  systemPrompt?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
}

export interface ObservedCall {
  readonly route: string;
  readonly request: ChatCallRequest;
  readonly hints: RoutingHints | undefined;
  readonly streamed: boolean;
  readonly tenant: string;
}

/** A running call's observation, and the hook that starts its shadows once the answer is under way. */
export interface CallWatch extends CallObservation {
  /** The real answer is under way (its first part arrived): mirror the sampled calls now, off the caller's clock. */
  answerStarted(): void;
}

/** The watch of a request in no experiment: every call does nothing. */
export const noWatch: CallWatch = { ...noObservation, answerStarted() {} };

export class RequestExperiments {
  readonly assigned: readonly AssignedVariant[];
  /** Shadow experiments that sampled this request. */
  readonly shadows: readonly ExperimentDefinition[];
  readonly route: RouteOverride | undefined;
  /** Another agent answers the turn. */
  readonly agent: string | undefined;
  readonly parameters: VariantParameters;
  readonly #buffer: StatsBuffer;
  readonly #mirror: ShadowMirror;
  readonly #router: Pick<ModelRouter, 'plan'>;

  constructor(assigned: readonly AssignedVariant[], shadows: readonly ExperimentDefinition[], services: { buffer: StatsBuffer; mirror: ShadowMirror; router: Pick<ModelRouter, 'plan'> }) {
    this.assigned = assigned;
    this.shadows = shadows;
    this.#buffer = services.buffer;
    this.#mirror = services.mirror;
    this.#router = services.router;
    let route: RouteOverride | undefined;
    let agent: string | undefined;
    const parameters: VariantParameters = {};
    // Config checks keep overlapping experiments from changing the same field; should two still meet, the first wins.
    for (const { variant } of assigned) {
      const config = variant.config;
      route ??= variant.route;
      agent ??= config.agent;
      if (config.systemPrompt !== undefined) parameters.systemPrompt ??= config.systemPrompt;
      if (config.temperature !== undefined) parameters.temperature ??= config.temperature;
      if (config.topP !== undefined) parameters.topP ??= config.topP;
      if (config.maxTokens !== undefined) parameters.maxTokens ??= config.maxTokens;
    }
    this.route = route;
    this.agent = agent;
    this.parameters = parameters;
  }

  /** The counted variants, as kept with the turn and shown in its reply. */
  get counted(): VariantRef[] {
    return this.assigned.filter((one) => one.recorded).map((one) => ({ experiment: one.definition.name, variant: one.variant.name }));
  }

  /** Every experiment the request is in with the variant that served it, counted or not. */
  get served(): { experiment: string; variant: string; counted: boolean }[] {
    return this.assigned.map((one) => ({ experiment: one.definition.name, variant: one.variant.name, counted: one.recorded }));
  }

  /** A chat request with the variants' parameters in place: they replace the request's own, and a system prompt replaces the first system message. */
  applyToChat(request: ChatCallRequest): ChatCallRequest {
    const { systemPrompt, temperature, topP, maxTokens } = this.parameters;
    if (systemPrompt === undefined && temperature === undefined && topP === undefined && maxTokens === undefined) return request;
    const next: ChatCallRequest = { ...request };
    if (temperature !== undefined) next.temperature = temperature;
    if (topP !== undefined) next.topP = topP;
    if (maxTokens !== undefined) next.maxTokens = maxTokens;
    if (systemPrompt !== undefined) {
      const messages: ChatMessage[] = [...request.messages];
      const index = messages.findIndex((message) => message.role === 'system');
      if (index === -1) messages.unshift({ role: 'system', content: systemPrompt });
      else messages[index] = { ...messages[index]!, content: systemPrompt };
      next.messages = messages;
    }
    return next;
  }

  /** Starts watching one model call. */
  watch(call: ObservedCall): CallWatch {
    const targets: ObservedVariant[] = [];
    for (const one of this.assigned) if (one.recorded) targets.push({ definition: one.definition, variant: one.variant.name });
    for (const definition of this.shadows) targets.push({ definition, variant: liveVariant });
    if (targets.length === 0) return noWatch;
    let firstPool = this.route?.pool;
    if (firstPool === undefined) {
      try {
        firstPool = this.#router.plan(call.route, call.request, call.hints).pools[0]?.name;
      } catch {
        firstPool = undefined;
      }
    }
    const observation = new VariantCallObservation(targets, this.#buffer, firstPool);
    const shadows = this.shadows;
    const mirror = this.#mirror;
    let started = false;
    return {
      firstToken: () => observation.firstToken(),
      finished: (decision, usage) => observation.finished(decision, usage),
      cost: (usd) => observation.cost(usd),
      failed: (abandoned) => observation.failed(abandoned),
      answerStarted: () => {
        if (started) return;
        started = true;
        for (const definition of shadows) mirror.mirror(definition, call);
      },
    };
  }
}
