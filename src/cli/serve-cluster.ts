/** `serve --workers N`: one process per core with node:cluster; the primary prepares the store, forks, and relays signals (SIGHUP reloads every worker). */

import cluster from 'node:cluster';

export interface ClusterOptions {
  workers: number;
  /** Runs once in the primary before forking (creates the first admin key, prints the banner). */
  prepare: () => Promise<void>;
}

/**
 * In the primary: prepares, forks the workers and resolves with 0 when they all exited after
 * SIGTERM/SIGINT, or 1 when one died unexpectedly (it is replaced while the primary runs).
 */
export async function runPrimary(options: ClusterOptions): Promise<number> {
  await options.prepare();
  let stopping = false;
  let failed = false;
  const fork = () => cluster.fork({ SWITCHBOARD_WORKER: '1' });
  for (let index = 0; index < options.workers; index++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    failed = true;
    process.stderr.write(`switchboard: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    fork();
  });
  // Each worker reloads its own config; without this handler SIGHUP would end the primary.
  const onReload = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
  };
  process.on('SIGHUP', onReload);
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  process.off('SIGHUP', onReload);
  await new Promise<void>((resolve) => {
    const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(check, 50));
    check();
  });
  return failed ? 1 : 0;
}

