/** An agent's tools checked when the config loads: names unique in the agent, argument schemas that compile. */

import { Ajv } from 'ajv';
import type { z } from 'zod';
import type { ConfigObject } from './config-object-schema.js';

/** One validator for the checks only: a schema that compiles here compiles in the agents' own validator. */
let checker: Ajv | undefined;

function schemaError(schema: Record<string, unknown>): string | undefined {
  checker ??= new Ajv({ allErrors: false, strict: false });
  try {
    checker.compile(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function checkAgentToolReferences(config: ConfigObject, context: z.RefinementCtx): void {
  for (const [name, agent] of Object.entries(config.agents)) {
    const seen = new Set<string>();
    if (agent.retrieval?.mode === 'tool') seen.add(`search_${agent.retrieval.kb}`);
    for (const [index, tool] of agent.tools.entries()) {
      if (tool.kind !== 'http') continue;
      if (seen.has(tool.name)) context.addIssue({ code: 'custom', path: ['agents', name, 'tools', index, 'name'], message: `the agent has another tool named "${tool.name}"` });
      seen.add(tool.name);
      const invalid = schemaError(tool.parameters);
      if (invalid) context.addIssue({ code: 'custom', path: ['agents', name, 'tools', index, 'parameters'], message: `not a valid JSON Schema: ${invalid}` });
    }
  }
}
