/**
 * The part of undici Switchboard uses: Pool, Agent, request and the Client under FreeClientPool. undici's index also loads fetch,
 * WebSocket, EventSource, the cache and mock dispatchers and, through them, Node's own bundled
 * undici; importing these four modules instead cuts its load to about a third (docs/benchmarks.md).
 */

import type * as Undici from 'undici';
import agentModule from 'undici/lib/dispatcher/agent.js';
import dispatcherModule from 'undici/lib/dispatcher/dispatcher.js';
import apiModule from 'undici/lib/api/index.js';
import poolModule from 'undici/lib/dispatcher/pool.js';
import globalModule from 'undici/lib/global.js';
import { FreeClientPool } from './free-client-pool.js';

// Each file's module.exports is what the index re-exports under that name.
const Agent = agentModule as typeof Undici.Agent;
const Pool = poolModule as typeof Undici.Pool;
const { getGlobalDispatcher } = globalModule as Pick<typeof Undici, 'getGlobalDispatcher'>;
type DispatcherType = Undici.Dispatcher;

// What undici's index does too: the request/stream/pipeline methods live on every dispatcher.
Object.assign((dispatcherModule as typeof Undici.Dispatcher).prototype, apiModule as object);

/** undici's `request(url, options)`: one call on the global dispatcher (an Agent), as the index exports it. */
function request(url: string | URL, options: Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher?: DispatcherType } = { method: 'GET' }): Promise<Undici.Dispatcher.ResponseData> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher = getGlobalDispatcher(), ...rest } = options;
  return dispatcher.request({ ...rest, origin: target.origin, path: `${target.pathname}${target.search}`, method: rest.method ?? (rest.body ? 'PUT' : 'GET') });
}

export const undici = { Pool, Agent, FreeClientPool, request: request as unknown as typeof Undici.request };
