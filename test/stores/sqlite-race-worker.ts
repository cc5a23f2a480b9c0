/** A second "process" for the SQLite race test: its own connection appending turns with retry on conflict. */

import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

interface RaceWorkerInput {
  path: string;
  tenant: string;
  sessionId: string;
  label: string;
  turns: number;
  /** Int32 counter of workers ready; all start appending once it reaches `workers`. */
  barrier: SharedArrayBuffer;
  workers: number;
}

const input = workerData as RaceWorkerInput;
const store = openSqliteStore({ path: input.path, busyTimeoutMs: 20_000 });
const versions: number[] = [];
let conflicts = 0;
try {
  // Start together, or a fast worker could finish before a slow one has even opened the file.
  const ready = new Int32Array(input.barrier);
  if (Atomics.add(ready, 0, 1) + 1 === input.workers) Atomics.notify(ready, 0);
  for (let seen = Atomics.load(ready, 0); seen < input.workers; seen = Atomics.load(ready, 0)) Atomics.wait(ready, 0, seen, 10_000);
  for (let turn = 0; turn < input.turns; turn++) {
    const label = `${input.label}-${turn}`;
    for (;;) {
      const session = await store.sessions.get(input.tenant, input.sessionId);
      if (session === undefined) throw new Error('session vanished');
      const at = Date.now();
      const outcome = await store.sessions.appendTurn(input.tenant, input.sessionId, session.version, {
        agent: input.label,
        messages: [
          { role: 'user', content: `u-${label}`, at },
          { role: 'assistant', content: `a-${label}`, at },
        ],
      });
      if (outcome.kind === 'committed') {
        versions.push(outcome.session.version);
        break;
      }
      if (outcome.kind !== 'conflict') throw new Error(`unexpected outcome ${outcome.kind}`);
      conflicts++;
    }
  }
  parentPort?.postMessage({ versions, conflicts });
} finally {
  await store.close();
}
