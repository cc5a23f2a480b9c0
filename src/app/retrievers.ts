/**
 * The retrievers a generation's agents search, by knowledge base name: the embedder's own
 * (`RuntimeOptions.retrievers`, which win for their knowledge bases) and one per configured
 * knowledge base, built by the retrieval part (SQLite FTS5 and vectors in the store's file, or an
 * external search endpoint). The map is handed to the agents when the generation is constructed;
 * the configured retrievers are opened (sources ingested, vectors loaded) before it serves, so each
 * entry is a stand-in that forwards to its retriever once open.
 */

import type { SwitchboardConfig } from '../config/config-schema.js';
import type { ModelRouter } from '../models/model-router.js';
import type { ModelCallListener } from '../models/route-embedder.js';
import { createRetrievers, type KnowledgeRetrievers } from '../retrieval/create-retrievers.js';
import type { RetrievalQuery, RetrievedPassage, Retriever } from '../retrieval/retriever.js';
import type { RuntimeBase } from './runtime-base.js';

export interface GenerationRetrievers {
  readonly map: ReadonlyMap<string, Retriever>;
  /** Builds the configured retrievers; the generation awaits it before serving. */
  open(): Promise<void>;
  close(): void;
}

export function generationRetrievers(config: SwitchboardConfig, base: RuntimeBase, router: ModelRouter): GenerationRetrievers {
  const map = new Map(base.retrievers);
  let knowledge: KnowledgeRetrievers | undefined;
  const configured = Object.keys(config.knowledge).filter((name) => !map.has(name));
  for (const name of configured) {
    map.set(name, {
      search(query: RetrievalQuery, signal?: AbortSignal, modelCalled?: ModelCallListener): Promise<RetrievedPassage[]> {
        const retriever = knowledge?.retrievers.get(name);
        // Only reachable if a turn ran on a generation that never finished building: say so rather than answer nothing.
        if (!retriever) return Promise.reject(new Error(`knowledge base "${name}" is not open yet`));
        return retriever.search(query, signal, modelCalled);
      },
    });
  }
  return {
    map,
    async open() {
      if (configured.length === 0) return;
      const knowledgeOf = Object.fromEntries(configured.map((name) => [name, config.knowledge[name]!]));
      knowledge = await createRetrievers({ knowledge: knowledgeOf }, { sqlitePath: base.sqlitePath, router });
    },
    close() {
      knowledge?.close();
    },
  };
}
