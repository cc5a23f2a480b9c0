/** The in-memory Store: sessions, keys, usage and experiments in Maps, for tests and the contract suite's reference. */

import { MemoryEmbeddingCache } from './memory-embedding-cache.js';
import type { Store } from '../store-types.js';
import { checkTtlSeconds, defaultSessionTtlSeconds } from '../store-input.js';
import { MemoryAuditLog } from './memory-audit-log.js';
import { MemoryExperimentStore } from './memory-experiment-store.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { MemorySessionStore } from './memory-session-store.js';
import { MemoryUsageLedger } from './memory-usage-ledger.js';

export interface MemoryStoreOptions {
  now?: () => number;
  defaultTtlSeconds?: number;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const defaultTtlSeconds =
    options.defaultTtlSeconds === undefined ? defaultSessionTtlSeconds : checkTtlSeconds(options.defaultTtlSeconds, 'defaultTtlSeconds');
  return {
    kind: 'memory',
    sessions: new MemorySessionStore(now, defaultTtlSeconds),
    keys: new MemoryKeyStore(now),
    usage: new MemoryUsageLedger(),
    experiments: new MemoryExperimentStore(now),
    embeddings: new MemoryEmbeddingCache(),
    audit: new MemoryAuditLog(),
    close: async () => {},
  };
}
