/** The configuration schema: one zod schema, composed of each part's own, that validates the YAML file and produces the config types. */

import type { z } from 'zod';
import { checkReferences } from './config-references.js';
import { configObjectSchema } from './config-object-schema.js';

export { balancerNames, engineNames } from './schemas/pool-schema.js';
import type { balancerNames, engineNames } from './schemas/pool-schema.js';

export const configSchema = configObjectSchema.superRefine(checkReferences);

export type SwitchboardConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type PoolConfig = SwitchboardConfig['pools'][string];
export type InstanceConfig = PoolConfig['instances'][number];
export type RouteConfig = SwitchboardConfig['routes'][string];
export type RouteRuleConfig = RouteConfig['rules'][number];
export type BalancerName = (typeof balancerNames)[number];
export type EngineName = (typeof engineNames)[number];
export type AgentConfig = SwitchboardConfig['agents'][string];
export type ExperimentConfig = SwitchboardConfig['experiments'][string];
export type VariantConfig = ExperimentConfig['variants'][string];
export type GuardrailConfig = ExperimentConfig['guardrails'][number];
export type KnowledgeBaseConfig = SwitchboardConfig['knowledge'][string];
