/** Whether this process is a `serve --workers N` worker, told without loading node:cluster in a process that is not one. */

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Loading node:cluster (and node:child_process with it) costs ~3.5 ms of a start that runs one
 * process; only the primary of `--workers N` needs it. A worker is forked by the primary with
 * SWITCHBOARD_WORKER=1 and an IPC channel, and Node's bootstrap has loaded node:cluster in it
 * already (and removed NODE_UNIQUE_ID from its environment), so asking node:cluster there is free.
 */
export function isClusterWorker(): boolean {
  if (process.env.SWITCHBOARD_WORKER !== '1' || typeof process.send !== 'function') return false;
  return (require('node:cluster') as { isWorker: boolean }).isWorker;
}
