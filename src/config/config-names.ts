/** The names a config defines (pools, routes, agents, intents, tiers, tenants), which its cross-references must name. */

import type { ConfigObject } from './config-object-schema.js';
import { didYouMean } from './closest-name.js';
import { defaultKeyTier } from './default-key-tier.js';

export type NameKind = 'pool' | 'route' | 'agent' | 'intent' | 'tier' | 'tenant';

export type ConfigNames = Readonly<Record<NameKind, ReadonlySet<string>>>;

/** What a valid config defines. An agent serves its `intent`, or its own name without one; every key has a tier, `standard` unless given. */
export function namesOf(config: Pick<ConfigObject, 'pools' | 'routes' | 'agents' | 'limits' | 'tenants'>): ConfigNames {
  return {
    pool: new Set(Object.keys(config.pools)),
    route: new Set(Object.keys(config.routes)),
    agent: new Set(Object.keys(config.agents)),
    intent: new Set(Object.entries(config.agents).map(([name, agent]) => agent.intent ?? name)),
    tier: new Set([defaultKeyTier, ...Object.keys(config.limits.tiers)]),
    tenant: new Set(config.tenants),
  };
}

const objectOrEmpty = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** What a config that failed validation tries to define: an entry with a bad field still exists, so naming it is no second problem. */
export function namesOfInput(input: unknown): ConfigNames {
  const config = objectOrEmpty(input);
  const agents = objectOrEmpty(config.agents);
  const intents = Object.entries(agents).map(([name, agent]) => {
    const intent = objectOrEmpty(agent).intent;
    return typeof intent === 'string' ? intent : name;
  });
  const tenants = Array.isArray(config.tenants) ? config.tenants.filter((tenant): tenant is string => typeof tenant === 'string') : [];
  return {
    pool: new Set(Object.keys(objectOrEmpty(config.pools))),
    route: new Set(Object.keys(objectOrEmpty(config.routes))),
    agent: new Set(Object.keys(agents)),
    intent: new Set(intents),
    tier: new Set([defaultKeyTier, ...Object.keys(objectOrEmpty(objectOrEmpty(config.limits).tiers))]),
    tenant: new Set(tenants),
  };
}

const declaredWhere: Record<NameKind, string> = {
  pool: 'pools',
  route: 'routes',
  agent: 'agents',
  intent: "an agent's intent (or its name)",
  tier: `limits.tiers (or "${defaultKeyTier}")`,
  tenant: 'tenants',
};

/** `unknown pool "x"`, with the closest defined name when one is close, else where such names are declared. */
export function unknownName(kind: NameKind, name: string, names: ConfigNames): string {
  const suggestion = didYouMean(name, names[kind]);
  return `unknown ${kind} "${name}"${suggestion || (kind === 'tier' || kind === 'tenant' || kind === 'intent' ? `; declare it in ${declaredWhere[kind]}` : '')}`;
}
