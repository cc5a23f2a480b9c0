/**
 * What the `kb` commands work on: the config's knowledge bases, the embedded index in the SQLite
 * store's file, and, for a knowledge base with an embeddings route, an embedder over that route
 * (the config's built-in simulators are started for it, as `serve` would).
 */

import { resolve } from 'node:path';
import { startSimulators, simulatorUrlResolver } from '../app/simulators.js';
import type { KnowledgeBaseConfig, SwitchboardConfig } from '../config/config-schema.js';
import { resolveConfig } from '../config/resolve-config.js';
import { ModelRouter } from '../models/model-router.js';
import type { LlmSimulator } from '../lab/llm-simulator.js';

export interface KnowledgeWorkspace {
  readonly config: SwitchboardConfig;
  /** The SQLite store's file; undefined when the store is not SQLite. */
  readonly sqlitePath: string | undefined;
  /** The configured knowledge base, or an error naming the configured ones. */
  knowledgeBase(name: string): KnowledgeBaseConfig;
  /** A router over the config's pools, with its built-in simulators running; made on first use. */
  router(): Promise<ModelRouter>;
  close(): Promise<void>;
}

export function openKnowledgeWorkspace(configPath: string | undefined, dataDir: string): KnowledgeWorkspace {
  const { config } = resolveConfig(configPath);
  const sqlitePath = config.store.kind === 'sqlite' ? (config.store.path ?? resolve(dataDir, 'switchboard.db')) : undefined;
  let simulators: LlmSimulator[] = [];
  let router: ModelRouter | undefined;
  return {
    config,
    sqlitePath,
    knowledgeBase(name) {
      const kb = Object.hasOwn(config.knowledge, name) ? config.knowledge[name] : undefined;
      if (kb) return kb;
      const known = Object.keys(config.knowledge);
      throw new Error(`unknown knowledge base "${name}"; ${known.length === 0 ? 'the config has no knowledge section' : `configured: ${known.join(', ')}`}`);
    },
    async router() {
      if (!router) {
        simulators = await startSimulators(config.simulator);
        router = new ModelRouter(config, simulatorUrlResolver(simulators));
      }
      return router;
    },
    async close() {
      await router?.close();
      await Promise.all(simulators.map((simulator) => simulator.close()));
    },
  };
}
