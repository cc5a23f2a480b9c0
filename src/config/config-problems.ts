/**
 * Every problem of a config in one pass. zod checks cross-references only once the whole
 * config is valid, so a typo in one field used to hide every unknown name; here each part is
 * validated on its own, and the references among the parts that are valid are checked anyway.
 */

import { z } from 'zod';
import { configObjectSchema, type ConfigObject } from './config-object-schema.js';
import { namesOfInput } from './config-names.js';
import { checkReferences } from './config-references.js';
import { agentSchema } from './schemas/agent-schema.js';
import { experimentSchema } from './schemas/experiment-schema.js';
import { poolSchema } from './schemas/pool-schema.js';
import { routeSchema } from './schemas/route-schema.js';

/** Sections that are records of named entries: an entry that fails is left out, its name still counts as defined. */
const entrySchemas = { pools: poolSchema, routes: routeSchema, agents: agentSchema, experiments: experimentSchema } as const;

type Section = keyof ConfigObject;

function validEntries(value: unknown, schema: z.ZodType): Record<string, unknown> {
  const entries: Record<string, unknown> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return entries;
  for (const [name, entry] of Object.entries(value)) {
    const result = schema.safeParse(entry);
    if (result.success) entries[name] = result.data;
  }
  return entries;
}

/**
 * The cross-reference problems of an input that failed validation: each section parsed alone
 * (a bad one replaced by its defaults), each named entry alone. A required section that is bad
 * and has no default (`intent`) skips the checks that need it.
 */
export function referenceIssuesOfInvalid(input: unknown): z.core.$ZodIssue[] {
  const raw = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const parts: Record<string, unknown> = {};
  for (const [section, schema] of Object.entries(configObjectSchema.shape) as [Section, z.ZodType][]) {
    if (section in entrySchemas) {
      parts[section] = validEntries(raw[section], entrySchemas[section as keyof typeof entrySchemas]);
      continue;
    }
    const parsed = schema.safeParse(raw[section]);
    const fallback = parsed.success ? parsed : schema.safeParse(undefined);
    if (fallback.success) parts[section] = fallback.data;
  }
  // The intent section is the only required one without a default: without it, its check is moot.
  const intentUnchecked = parts.intent === undefined;
  if (intentUnchecked) parts.intent = { defaultAgent: '', threshold: 0.5, stickyFollowUps: true, tiers: {}, outOfScope: {} };
  const names = namesOfInput(input);
  const result = z.unknown().superRefine((_value, context) => checkReferences(parts as unknown as ConfigObject, context, names)).safeParse(parts);
  if (result.success) return [];
  return intentUnchecked ? result.error.issues.filter((issue) => issue.path[0] !== 'intent') : result.error.issues;
}
