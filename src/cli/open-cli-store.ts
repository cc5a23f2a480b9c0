/** Opens the store a CLI command works on: the one of `--config` (or SWITCHBOARD_CONFIG), else SQLite under `--data-dir`. */

import { resolve } from 'node:path';
import { resolveConfig } from '../config/resolve-config.js';
import { openStore } from '../stores/open-store.js';
import type { Store } from '../stores/store-types.js';

export async function openCliStore(configPath: string | undefined, dataDir: string): Promise<Store> {
  const { config } = resolveConfig(configPath);
  const store = config.store;
  return openStore(store.kind === 'sqlite' ? { kind: 'sqlite', path: store.path ?? resolve(dataDir, 'switchboard.db') } : store);
}
