/**
 * The retrievers a generation's agents search, by knowledge base name: the seam where the retrieval part plugs in
 * (its SQLite FTS5 and vector retriever over the store's file, or an external search endpoint). Until a knowledge
 * base has a retriever here, an agent with retrieval over it answers without passages and a warning is logged.
 */

import type { SwitchboardConfig } from '../config/config-schema.js';
import type { ModelRouter } from '../models/model-router.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { RuntimeBase } from './runtime-base.js';

export function generationRetrievers(_config: SwitchboardConfig, base: RuntimeBase, _router: ModelRouter): ReadonlyMap<string, Retriever> {
  // The built-in retrievers join here; an embedder's own (RuntimeOptions.retrievers) win for their knowledge bases.
  return new Map(base.retrievers);
}
