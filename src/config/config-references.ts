/** Cross-references of a config checked after each part validated: a typo in a name fails at start, naming the field. */

import type { z } from 'zod';
import type { routeSchema } from './schemas/route-schema.js';
import type { ConfigObject } from './config-object-schema.js';
import { checkAgentToolReferences } from './agent-tool-references.js';
import { namesOf, unknownName, type ConfigNames } from './config-names.js';
import { checkExperimentReferences } from './experiment-references.js';
import { checkKnowledgeReferences } from './knowledge-references.js';

/**
 * `names` are what the config defines; for a config that failed validation, the names its input
 * tries to define (config-problems.ts), so a pool with one bad field is not also "unknown".
 */
export function checkReferences(config: ConfigObject, context: z.RefinementCtx, names: ConfigNames = namesOf(config)): void {
  if (config.limits.backend === 'redis' && !config.redis && config.store.kind !== 'redis') {
    context.addIssue({ code: 'custom', path: ['limits', 'backend'], message: 'the redis backend needs redis.url (or a store of kind redis)' });
  }
  for (const [name, route] of Object.entries(config.routes)) {
    for (const [index, pool] of [route.pool, ...route.fallbacks].entries()) {
      if (!names.pool.has(pool)) {
        context.addIssue({ code: 'custom', path: ['routes', name, index === 0 ? 'pool' : `fallbacks`], message: unknownName('pool', pool, names) });
      }
    }
    checkRouteRules(names, name, route, context);
  }
  for (const [name, agent] of Object.entries(config.agents)) {
    if (name === 'auto') context.addIssue({ code: 'custom', path: ['agents', name], message: 'the agent name "auto" is reserved: the model "agent:auto" lets intent detection pick the agent' });
    if (!names.route.has(agent.route)) context.addIssue({ code: 'custom', path: ['agents', name, 'route'], message: unknownName('route', agent.route, names) });
    for (const [index, pattern] of agent.patterns.entries()) {
      try {
        new RegExp(pattern, 'i');
      } catch (error) {
        context.addIssue({ code: 'custom', path: ['agents', name, 'patterns', index], message: `invalid regular expression: ${(error as Error).message}` });
      }
    }
  }
  checkAgentToolReferences(config, context);
  if (!names.agent.has(config.intent.defaultAgent)) {
    context.addIssue({ code: 'custom', path: ['intent', 'defaultAgent'], message: unknownName('agent', config.intent.defaultAgent, names) });
  }
  checkIntentReferences(config, context);
  for (const [name, pool] of Object.entries(config.pools)) {
    if (pool.balancer === 'queue-aware' && pool.engine === 'none') {
      context.addIssue({ code: 'custom', path: ['pools', name, 'engine'], message: 'the queue-aware balancer needs the engine whose metrics it scrapes (vllm, sglang or tgi)' });
    }
    const instanceNames = new Set<string>();
    for (const [index, instance] of pool.instances.entries()) {
      const instanceName = instance.name ?? `${name}-${index}`;
      if (instanceNames.has(instanceName)) context.addIssue({ code: 'custom', path: ['pools', name, 'instances', index, 'name'], message: `instance name "${instanceName}" is used twice in the pool` });
      instanceNames.add(instanceName);
      const match = /^simulator:\/\/(\d+)$/.exec(instance.url);
      if (!match) continue;
      const count = config.simulator?.instances ?? 0;
      if (Number(match[1]) >= count) {
        context.addIssue({ code: 'custom', path: ['pools', name, 'instances', index, 'url'], message: `no built-in simulator ${match[1]} (simulator.instances is ${count})` });
      }
    }
  }
  checkExperimentReferences(config, context, names);
  checkKnowledgeReferences(config, context, names);
}

/** The rule conditions that name things, and what kind of thing each names. */
const namedConditions = [
  ['agents', 'agent'],
  ['intents', 'intent'],
  ['tiers', 'tier'],
  ['tenants', 'tenant'],
] as const;

/**
 * Rules name known pools, agents, intents, tiers and tenants, once each by name, with sensible
 * token bounds: a rule naming an agent that does not exist would silently never match.
 */
function checkRouteRules(names: ConfigNames, routeName: string, route: z.infer<typeof routeSchema>, context: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const [index, rule] of route.rules.entries()) {
    const path = ['routes', routeName, 'rules', index];
    if (rule.name === 'default' || seen.has(rule.name)) context.addIssue({ code: 'custom', path: [...path, 'name'], message: `rule name "${rule.name}" is ${rule.name === 'default' ? 'reserved' : 'used twice'}` });
    seen.add(rule.name);
    for (const [poolIndex, pool] of [rule.pool, ...rule.fallbacks].entries()) {
      if (!names.pool.has(pool)) context.addIssue({ code: 'custom', path: [...path, poolIndex === 0 ? 'pool' : 'fallbacks'], message: unknownName('pool', pool, names) });
    }
    for (const [field, kind] of namedConditions) {
      rule.when[field]?.forEach((name, nameIndex) => {
        if (!names[kind].has(name)) context.addIssue({ code: 'custom', path: [...path, 'when', field, nameIndex], message: unknownName(kind, name, names) });
      });
    }
    const { minPromptTokens, maxPromptTokens } = rule.when;
    if (minPromptTokens !== undefined && maxPromptTokens !== undefined && minPromptTokens > maxPromptTokens) {
      context.addIssue({ code: 'custom', path: [...path, 'when', 'minPromptTokens'], message: 'must not exceed maxPromptTokens' });
    }
  }
}

/** The intent tiers name known routes and agents; the trained and embedding tiers need examples to learn from. */
function checkIntentReferences(config: ConfigObject, context: z.RefinementCtx): void {
  const { tiers, outOfScope } = config.intent;
  for (const tier of ['embedding', 'llm'] as const) {
    const route = tiers[tier]?.route;
    if (route !== undefined && !Object.hasOwn(config.routes, route)) context.addIssue({ code: 'custom', path: ['intent', 'tiers', tier, 'route'], message: `unknown route "${route}"` });
  }
  if (outOfScope.agent !== undefined && !Object.hasOwn(config.agents, outOfScope.agent)) {
    context.addIssue({ code: 'custom', path: ['intent', 'outOfScope', 'agent'], message: `unknown agent "${outOfScope.agent}"` });
  }
  if ((tiers.trained || tiers.embedding) && !Object.values(config.agents).some((agent) => agent.examples.length > 0)) {
    context.addIssue({ code: 'custom', path: ['intent', 'tiers', tiers.trained ? 'trained' : 'embedding'], message: 'this tier learns from agents.*.examples, and no agent has any' });
  }
}
