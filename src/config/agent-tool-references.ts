/**
 * An agent's tools checked when the config loads: names unique in the agent. (Argument schemas are compiled with
 * ajv when the generation builds its agents, naming the field too: ajv is not loaded for configs without tools.)
 */

import type { z } from 'zod';
import type { ConfigObject } from './config-object-schema.js';

export function checkAgentToolReferences(config: ConfigObject, context: z.RefinementCtx): void {
  for (const [name, agent] of Object.entries(config.agents)) {
    const seen = new Set<string>();
    if (agent.retrieval?.mode === 'tool') seen.add(`search_${agent.retrieval.kb}`);
    for (const [index, tool] of agent.tools.entries()) {
      if (tool.kind !== 'http') continue;
      if (seen.has(tool.name)) context.addIssue({ code: 'custom', path: ['agents', name, 'tools', index, 'name'], message: `the agent has another tool named "${tool.name}"` });
      seen.add(tool.name);
    }
  }
}
