/** Cross-references of a config checked after each part validated: a typo in a name fails at start, naming the field. */

import type { z } from 'zod';
import type { routeSchema } from './schemas/route-schema.js';
import type { ConfigObject } from './config-object-schema.js';
import { checkAgentToolReferences } from './agent-tool-references.js';
import { checkExperimentReferences } from './experiment-references.js';

export function checkReferences(config: ConfigObject, context: z.RefinementCtx): void {
  if (config.limits.backend === 'redis' && !config.redis && config.store.kind !== 'redis') {
    context.addIssue({ code: 'custom', path: ['limits', 'backend'], message: 'the redis backend needs redis.url (or a store of kind redis)' });
  }
  for (const [name, route] of Object.entries(config.routes)) {
    for (const [index, pool] of [route.pool, ...route.fallbacks].entries()) {
      if (!config.pools[pool]) {
        context.addIssue({ code: 'custom', path: ['routes', name, index === 0 ? 'pool' : `fallbacks`], message: `unknown pool "${pool}"` });
      }
    }
    checkRouteRules(config, name, route, context);
  }
  for (const [name, agent] of Object.entries(config.agents)) {
    if (!config.routes[agent.route]) context.addIssue({ code: 'custom', path: ['agents', name, 'route'], message: `unknown route "${agent.route}"` });
    for (const [index, pattern] of agent.patterns.entries()) {
      try {
        new RegExp(pattern, 'i');
      } catch (error) {
        context.addIssue({ code: 'custom', path: ['agents', name, 'patterns', index], message: `invalid regular expression: ${(error as Error).message}` });
      }
    }
  }
  checkAgentToolReferences(config, context);
  if (!config.agents[config.intent.defaultAgent]) {
    context.addIssue({ code: 'custom', path: ['intent', 'defaultAgent'], message: `unknown agent "${config.intent.defaultAgent}"` });
  }
  for (const [name, pool] of Object.entries(config.pools)) {
    if (pool.balancer === 'queue-aware' && pool.engine === 'none') {
      context.addIssue({ code: 'custom', path: ['pools', name, 'engine'], message: 'the queue-aware balancer needs the engine whose metrics it scrapes (vllm, sglang or tgi)' });
    }
    for (const [index, instance] of pool.instances.entries()) {
      const match = /^simulator:\/\/(\d+)$/.exec(instance.url);
      if (!match) continue;
      const count = config.simulator?.instances ?? 0;
      if (Number(match[1]) >= count) {
        context.addIssue({ code: 'custom', path: ['pools', name, 'instances', index, 'url'], message: `no built-in simulator ${match[1]} (simulator.instances is ${count})` });
      }
    }
  }
  checkExperimentReferences(config, context);
}

/** Rules name known pools, once each by name, with sensible token bounds. */
function checkRouteRules(config: { pools: Record<string, unknown> }, routeName: string, route: z.infer<typeof routeSchema>, context: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const [index, rule] of route.rules.entries()) {
    const path = ['routes', routeName, 'rules', index];
    if (rule.name === 'default' || seen.has(rule.name)) context.addIssue({ code: 'custom', path: [...path, 'name'], message: `rule name "${rule.name}" is ${rule.name === 'default' ? 'reserved' : 'used twice'}` });
    seen.add(rule.name);
    for (const [poolIndex, pool] of [rule.pool, ...rule.fallbacks].entries()) {
      if (!Object.hasOwn(config.pools, pool)) context.addIssue({ code: 'custom', path: [...path, poolIndex === 0 ? 'pool' : 'fallbacks'], message: `unknown pool "${pool}"` });
    }
    const { minPromptTokens, maxPromptTokens } = rule.when;
    if (minPromptTokens !== undefined && maxPromptTokens !== undefined && minPromptTokens > maxPromptTokens) {
      context.addIssue({ code: 'custom', path: [...path, 'when', 'minPromptTokens'], message: 'must not exceed maxPromptTokens' });
    }
  }
}
