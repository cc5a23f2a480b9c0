/**
 * The part of undici Switchboard uses: Pool, Agent and request. undici's index also loads fetch,
 * WebSocket, EventSource, the cache and mock dispatchers and, through them, Node's own bundled
 * undici; importing these four modules instead cuts its load to about a third (docs/benchmarks.md).
 */

import type { Dispatcher as DispatcherType, request as undiciRequest } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import api from 'undici/lib/api/index.js';
import Pool from 'undici/lib/dispatcher/pool.js';
import undiciGlobal from 'undici/lib/global.js';

// What undici's index does too: the request/stream/pipeline methods live on every dispatcher.
Object.assign(Dispatcher.prototype, api);

/** undici's `request(url, options)`: one call on the global dispatcher (an Agent), as the index exports it. */
function request(url: string | URL, options: Omit<DispatcherType.RequestOptions, 'origin' | 'path'> & { dispatcher?: DispatcherType } = { method: 'GET' }): Promise<DispatcherType.ResponseData> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher = undiciGlobal.getGlobalDispatcher(), ...rest } = options;
  return dispatcher.request({ ...rest, origin: target.origin, path: `${target.pathname}${target.search}`, method: rest.method ?? (rest.body ? 'PUT' : 'GET') });
}

export const undici = { Pool, Agent, request: request as unknown as typeof undiciRequest };
