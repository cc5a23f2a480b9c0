/** Opens the configured Store backend; each backend module is imported only when configured, so unused SDKs never load. */

import type { Store } from './store-types.js';

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'memory' }
  | { kind: 'dynamodb'; table: string; region: string; endpoint?: string | undefined; maxAttempts?: number | undefined }
  | { kind: 'redis'; url: string; keyPrefix?: string | undefined };

export interface OpenStoreOptions {
  now?: () => number;
  /** Lifetime of a session after its last turn when the caller does not give one. */
  defaultTtlSeconds?: number;
}

type StoreOpener<Config extends StoreConfig> = (config: Config, options: OpenStoreOptions) => Promise<Store>;

/** One entry per backend: adding a backend is adding its config to StoreConfig and one opener here. */
const storeOpeners: { [Kind in StoreConfig['kind']]: StoreOpener<Extract<StoreConfig, { kind: Kind }>> } = {
  sqlite: async (config, options) => {
    const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
    return openSqliteStore({ path: config.path, ...options });
  },
  memory: async (_config, options) => {
    const { createMemoryStore } = await import('./memory/memory-store.js');
    return createMemoryStore(options);
  },
  dynamodb: async (config, options) => {
    const { openDynamoDbStore } = await import('./dynamodb/dynamodb-store.js');
    return openDynamoDbStore({ table: config.table, region: config.region, endpoint: config.endpoint, maxAttempts: config.maxAttempts, ...options });
  },
  redis: async (config, options) => {
    const { openRedisStore } = await import('./redis/redis-store.js');
    return openRedisStore({ url: config.url, keyPrefix: config.keyPrefix, ...options });
  },
};

export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  const kind: unknown = (config as { kind?: unknown } | undefined)?.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(storeOpeners, kind)) {
    throw new TypeError(`openStore: unknown store kind ${JSON.stringify(kind)}; expected one of ${Object.keys(storeOpeners).join(', ')}`);
  }
  // The mapped type pairs each kind with its opener; TypeScript cannot follow the pairing through the index.
  const opener = storeOpeners[kind as StoreConfig['kind']] as StoreOpener<StoreConfig>;
  return opener(config, options);
}
