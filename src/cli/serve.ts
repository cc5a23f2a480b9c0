/** What `switchboard serve` does once its flags are checked: start, announce, reload on SIGHUP (and file changes), drain on SIGTERM, exit. */

import { resolveConfig } from '../config/resolve-config.js';
import { adminKeyVariable } from '../app/bootstrap-admin-key.js';
import { createRuntime } from '../app/runtime.js';
import type { Store } from '../stores/store-types.js';
import { loadUndici } from '../models/providers/load-undici.js';
import { startHttpServer } from '../server/http-server.js';
import { watchConfigFile } from './config-watcher.js';
import { openCliStore } from './open-cli-store.js';
import { isClusterWorker } from './cluster-worker.js';

function firstKeyLines(key: string, url: string, route: string): string[] {
  return [
    '',
    'Created an admin API key for tenant "default" (shown only this once):',
    `  ${key}`,
    '',
    'Try it:',
    `  curl -s ${url}/v1/chat/completions -H "Authorization: Bearer ${key}" -H "content-type: application/json" \\`,
    `    -d '{"model":"${route}","messages":[{"role":"user","content":"Where is my order 12345?"}]}'`,
  ];
}

function hasBootstrapKey(): boolean {
  return (process.env[adminKeyVariable] ?? '') !== '';
}

/**
 * The first admin key of a store with no keys, printed once. Conditional in the store: of pods
 * starting together on one store, one makes it and the others print nothing.
 */
async function createFirstAdminKey(store: Pick<Store, 'keys'>): Promise<string | undefined> {
  if ((await store.keys.count()) > 0) return undefined;
  return (await store.keys.createFirstAdmin({ tenant: 'default' }))?.key;
}

export interface ServeOptions {
  configPath?: string;
  port?: number;
  host?: string;
  dataDir: string;
  /** Processes to run; more than one uses node:cluster. */
  workers?: number;
  /** Reload when the config file changes, besides SIGHUP and POST /v1/admin/reload. */
  watchConfig?: boolean;
}

export async function runServe(options: ServeOptions): Promise<number> {
  const startedAt = performance.now();
  const { config, source } = resolveConfig(options.configPath);
  if ((options.workers ?? 1) > 1 && !isClusterWorker()) {
    const { runPrimary } = await import('./serve-cluster.js');
    return runPrimary({
      workers: options.workers!,
      prepare: async () => {
        const store = await openCliStore(options.configPath, options.dataDir);
        try {
          const lines = [`Switchboard starting ${options.workers} workers on port ${options.port ?? config.server.port} (config: ${source})`];
          const first = hasBootstrapKey() ? undefined : await createFirstAdminKey(store);
          if (first) lines.push(...firstKeyLines(first, `http://127.0.0.1:${options.port ?? config.server.port}`, Object.keys(config.routes)[0]!));
          process.stdout.write(lines.join('\n') + '\n');
        } finally {
          await store.close();
        }
      },
    });
  }
  // Listened for before anything starts: a SIGTERM during start-up (a pod deleted at once) ends it
  // cleanly once it is up, instead of killing a process that holds a store open.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // The first request to a pool needs undici: loaded while the runtime is built, and awaited before
  // the listener opens, so /readyz 200 means a request is served without waiting for it.
  const upstreamClient = loadUndici();
  upstreamClient.catch(() => undefined);
  // Every reload reads the same source again: the file named at start (or the demo).
  const runtime = await createRuntime(config, { dataDir: options.dataDir, configSource: { name: source, load: () => resolveConfig(options.configPath).config } });
  let server;
  let firstKey: string | undefined;
  try {
    // The store is used once before the listener opens: a store that cannot list or create keys
    // fails the start here, with a non-zero exit, instead of a process that answers /readyz 200.
    // In a cluster the primary made the first key before forking.
    if (!isClusterWorker() && !runtime.base.bootstrapAdminKey) firstKey = await createFirstAdminKey(runtime.store);
    await upstreamClient;
    server = await startHttpServer(runtime, { port: options.port, host: options.host });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const readyMs = performance.now() - startedAt;
  const lines = [`Switchboard listening on ${server.url} (config: ${source}; ready in ${readyMs.toFixed(0)} ms${isClusterWorker() ? `; worker ${process.pid}` : ''})`];
  if (firstKey !== undefined) lines.push(...firstKeyLines(firstKey, server.url, runtime.current.router.routeNames()[0]!));
  process.stdout.write(lines.join('\n') + '\n');
  runtime.logger.info({ url: server.url, readyMs: Math.round(readyMs), runtimeBuildMs: Math.round(runtime.buildMs), config: source }, 'ready');

  // The runtime logs each reload's outcome; a bad file is refused there and the current config keeps serving.
  const onReload = () => void runtime.reload();
  process.on('SIGHUP', onReload);
  const configFile = options.configPath ?? process.env.SWITCHBOARD_CONFIG;
  const watcher = options.watchConfig && configFile ? watchConfigFile(configFile, onReload) : undefined;
  const signal = await stopSignal;
  runtime.logger.info({ signal, inFlight: server.inFlight() }, 'draining');
  process.off('SIGHUP', onReload);
  watcher?.close();
  const { drained } = await server.shutdown();
  await runtime.close();
  runtime.logger.info({ drained }, 'stopped');
  // A worker's IPC channel to the primary would keep it alive.
  if (isClusterWorker()) process.disconnect();
  return 0;
}
