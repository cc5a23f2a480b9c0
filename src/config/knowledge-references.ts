/** Cross-references of the knowledge section, and the check other sections use for a field that names a knowledge base. */

import type { z } from 'zod';
import type { ConfigObject } from './config-object-schema.js';
import { namesOf, unknownName, type ConfigNames } from './config-names.js';

/** Adds an issue at `path` unless `kb` names a configured knowledge base (for example an agent's `retrieval.kb`). */
export function checkKnowledgeBaseName(config: { readonly knowledge: Readonly<Record<string, unknown>> }, kb: string, path: readonly (string | number)[], context: z.RefinementCtx): void {
  if (Object.hasOwn(config.knowledge, kb)) return;
  const known = Object.keys(config.knowledge);
  context.addIssue({ code: 'custom', path: [...path], message: `unknown knowledge base "${kb}"; ${known.length === 0 ? 'the knowledge section configures none' : `configured: ${known.join(', ')}`}` });
}

export function checkKnowledgeReferences(config: ConfigObject, context: z.RefinementCtx, names: ConfigNames = namesOf(config)): void {
  // Named from the input's names, so a knowledge base with a bad field still counts as existing.
  for (const [agentName, agent] of Object.entries(config.agents)) {
    const kb = agent.retrieval?.kb;
    if (kb !== undefined && !names.knowledge.has(kb)) context.addIssue({ code: 'custom', path: ['agents', agentName, 'retrieval', 'kb'], message: unknownName('knowledge', kb, names) });
  }
  for (const [name, kb] of Object.entries(config.knowledge)) {
    if (kb.kind !== 'embedded') continue;
    if (kb.embeddingsRoute !== undefined && !names.route.has(kb.embeddingsRoute)) {
      context.addIssue({ code: 'custom', path: ['knowledge', name, 'embeddingsRoute'], message: unknownName('route', kb.embeddingsRoute, names) });
    }
    // Only SQLite keeps the index in a file that `kb ingest` can write to; other stores get an in-process index built from sources.
    if (config.store.kind !== 'sqlite' && kb.sources.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['knowledge', name, 'sources'],
        message: `the ${config.store.kind} store cannot hold an embedded knowledge base: give sources (indexed in each process at start) or use kind: http with an external search service`,
      });
    }
  }
}
