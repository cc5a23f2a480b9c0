/** Starts a real Switchboard (runtime + HTTP server on port 0) over a real SQLite file and in-process simulators. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { demoConfig } from '../../src/config/demo-config.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import type { RuntimeOptions } from '../../src/app/runtime-base.js';
import { startHttpServer, type SwitchboardServer } from '../../src/server/http-server.js';
import { parseSse } from './sse.js';

export interface TestServer {
  url: string;
  key: string;
  runtime: Runtime;
  server: SwitchboardServer;
  dataDir: string;
  close(): Promise<void>;
}

function withoutRetrieval(agents: ConfigInput['agents']): ConfigInput['agents'] {
  return Object.fromEntries(Object.entries(agents).map(([name, { retrieval: _retrieval, ...agent }]) => [name, agent]));
}

/** The demo config with fast simulators, so tests run the real upstream path quickly. */
export function testConfig(overrides: Partial<ConfigInput> = {}): ConfigInput {
  return {
    ...demoConfig,
    simulator: { instances: 2, ttftMs: 20, itlMs: 2, outputTokens: 12, seed: 7 },
    logging: { level: 'silent' },
    auth: { cacheTtlMs: 0 },
    // Without the demo's knowledge base, and so without the shopping agent's retrieval: tests replace
    // its routes, and most need no retrieval (generation-retrievers and agent-retrieval test it).
    knowledge: {},
    agents: withoutRetrieval(demoConfig.agents),
    ...overrides,
  };
}

export async function startTestServer(overrides: Partial<ConfigInput> = {}, options: Pick<RuntimeOptions, 'retrievers'> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const config = parseConfig(testConfig(overrides));
  const runtime = await createRuntime(config, { ...options, dataDir, logger: pino({ level: 'silent' }), defaultMetrics: false });
  const server = await startHttpServer(runtime, { port: 0, host: '127.0.0.1' });
  const { key } = await runtime.store.keys.create({ tenant: 'tenant-a', role: 'admin' });
  return {
    url: server.url,
    key,
    runtime,
    server,
    dataDir,
    async close() {
      await server.shutdown(1_000);
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function authHeaders(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
}

export interface SseEventRecord {
  event: string;
  data: string;
}

/** Reads a whole SSE response into its events; an unnamed event is `message`, as in browsers. */
export async function readSse(response: Response): Promise<SseEventRecord[]> {
  return parseSse(await response.text()).map((parsed) => ({ event: parsed.event ?? 'message', data: parsed.data }));
}
