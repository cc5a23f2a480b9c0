/**
 * Builds one Retriever per configured knowledge base, for the composition root: embedded ones over
 * one SqliteKnowledgeIndex (in the store's SQLite file, or in memory for other stores, filled from
 * their sources), HTTP ones over their search endpoint. Sources are ingested before the first search.
 */

import type { SwitchboardConfig } from '../config/config-schema.js';
import { routeEmbedder } from '../models/route-embedder.js';
import type { ModelRouter } from '../models/model-router.js';
import { HttpRetriever } from './http-retriever.js';
import type { Retriever } from './retriever.js';
import type { SqliteKnowledgeIndex } from './sqlite-knowledge-index.js';

export interface KnowledgeRetrievers {
  /** By knowledge base name. */
  readonly retrievers: ReadonlyMap<string, Retriever>;
  /** The embedded index when any knowledge base is embedded. */
  readonly index: SqliteKnowledgeIndex | undefined;
  close(): void;
}

export interface CreateRetrieversOptions {
  /** The SQLite store's file; undefined for stores without one (the embedded index is then in memory). */
  sqlitePath: string | undefined;
  router: Pick<ModelRouter, 'embed'>;
  signal?: AbortSignal;
}

export async function createRetrievers(config: Pick<SwitchboardConfig, 'knowledge'>, options: CreateRetrieversOptions): Promise<KnowledgeRetrievers> {
  const retrievers = new Map<string, Retriever>();
  const entries = Object.entries(config.knowledge);
  let index: SqliteKnowledgeIndex | undefined;
  if (entries.some(([, kb]) => kb.kind === 'embedded')) index = await openIndex(options.sqlitePath ?? ':memory:');
  try {
    for (const [name, kb] of entries) {
      if (kb.kind === 'http') {
        retrievers.set(name, new HttpRetriever({ kb: name, url: kb.url, headers: kb.headers, timeoutMs: kb.timeoutMs, maxResponseBytes: kb.maxResponseBytes }));
        continue;
      }
      const { EmbeddedRetriever } = await import('./embedded-retriever.js');
      const embedder = kb.embeddingsRoute === undefined ? undefined : routeEmbedder(options.router, kb.embeddingsRoute);
      if (kb.sources.length > 0) {
        const [{ readKnowledgeFiles }, { ingestDocuments }] = await Promise.all([import('./read-knowledge-files.js'), import('./ingest-documents.js')]);
        try {
          await ingestDocuments(index!, name, readKnowledgeFiles(kb.sources), { chunking: kb.chunking, embedder, embeddingsRoute: kb.embeddingsRoute, signal: options.signal });
        } catch (error) {
          throw new Error(`knowledge.${name}.sources: ${(error as Error).message}`, { cause: error });
        }
      }
      // Loaded now rather than by the first search: 100,000 vectors, and the common terms' postings, take a noticeable moment to read.
      if (embedder) index!.vectorsOf(name);
      index!.warmPostings(name);
      retrievers.set(name, new EmbeddedRetriever({ kb: name, index: index!, embedder }));
    }
  } catch (error) {
    index?.close();
    throw error;
  }
  return { retrievers, index, close: () => index?.close() };
}

async function openIndex(path: string): Promise<SqliteKnowledgeIndex> {
  let module: typeof import('./sqlite-knowledge-index.js');
  try {
    module = await import('./sqlite-knowledge-index.js');
  } catch (error) {
    // The Lambda package ships no better-sqlite3: say what to configure instead of a module-not-found trace.
    throw new Error(`embedded knowledge bases need better-sqlite3, which cannot be loaded here (${(error as Error).message}); use kind: http with an external search service`, { cause: error });
  }
  return module.SqliteKnowledgeIndex.open(path);
}
