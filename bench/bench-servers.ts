/** Starts the servers the benchmarks compare, each in its own process: LLM simulators, Switchboard, Portkey, the agent-squad server. */

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchProcess, freePort, type SpawnOptions } from './bench-process.js';

/** The repository root, from `dist/bench/` or any other build folder beside `src/`. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The compiled CLI of the same build as this file. */
export const cliPath = fileURLToPath(new URL('../bin/switchboard.mjs', import.meta.url));
/** The peers' own package (bench/peers/package.json): installed by `npm run bench:peers`, never with the product. */
export const peersDir = join(repositoryRoot, 'bench', 'peers');

/** Fails with the command to run when the peers are not installed, before any server starts. */
export function requirePeers(): void {
  for (const name of ['@portkey-ai/gateway', 'agent-squad']) {
    if (!existsSync(join(peersDir, 'node_modules', name, 'package.json'))) throw new Error(`the benchmark peer ${name} is not installed in bench/peers; run \`npm run bench:peers\` (npm run bench does)`);
  }
}

export interface RunningServer {
  process: BenchProcess;
  url: string;
  port: number;
}

export interface SimulatorSettings {
  ttftMs: number;
  itlMs: number;
  outputTokens: number;
  maxNumSeqs: number;
  seed?: number;
}

export async function startSimulator(name: string, settings: SimulatorSettings): Promise<RunningServer> {
  const port = await freePort();
  const args = [
    cliPath,
    'mock-llm',
    '--port', String(port),
    '--ttft-ms', String(settings.ttftMs),
    '--itl-ms', String(settings.itlMs),
    '--output-tokens', String(settings.outputTokens),
    '--max-num-seqs', String(settings.maxNumSeqs),
    '--seed', String(settings.seed ?? 1),
  ];
  const child = new BenchProcess(name, process.execPath, args);
  const url = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${url}/health`, 15_000, 20);
  return { process: child, url, port };
}

/** A data directory with a bench config and an API key, reused by every Switchboard process of a scenario. */
export interface SwitchboardSetup {
  dataDir: string;
  configPath: string;
  apiKey: string;
  route: string;
  cleanup(): void;
}

/** The benchmark's config: one pool over the given simulators, limits that admit a 5,000-turn spike, logging at warn. */
export function switchboardBenchConfig(instanceUrls: string[], options: { firstTokenTimeoutMs?: number } = {}): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1' },
    logging: { level: 'warn' },
    limits: { maxInFlight: 20_000, maxQueued: 10_000, queueTimeoutMs: 30_000, tenants: { maxConcurrency: 20_000, requestsPerMinute: 0 } },
    pools: {
      simulators: {
        provider: 'openai',
        model: 'switchboard-sim',
        instances: instanceUrls.map((url) => ({ url })),
        // Enough sockets per instance that a 5,000-turn spike never queues inside the pool.
        connections: 6_000,
        // A saturated 2-core machine stretches time to first token far past production defaults; the bench measures, it does not time out.
        timeouts: { connectMs: 10_000, firstTokenMs: options.firstTokenTimeoutMs ?? 120_000, totalMs: 300_000 },
      },
    },
    routes: { bench: { description: 'The benchmark route.', pool: 'simulators' } },
    agents: {
      'order-support': {
        description: 'Order status, shipping, returns and refunds.',
        route: 'bench',
        intent: 'order_support',
        systemPrompt: 'You are the order support agent of an online shop. Help with order status, delivery, returns and refunds. Be brief.',
        keywords: ['order', 'shipping', 'delivery', 'package', 'refund', 'return', 'cancel'],
        patterns: ['\\border\\s*#?\\s*\\d{3,}'],
      },
      'shopping-advice': {
        description: 'Product advice and recommendations.',
        route: 'bench',
        intent: 'shopping_advice',
        systemPrompt: 'You are the shopping advisor of an online shop. Recommend products and compare options. Be brief.',
        keywords: ['recommend', 'suggest', 'best', 'compare', 'gift', 'size', 'deal'],
      },
    },
    intent: { defaultAgent: 'shopping-advice', threshold: 0.5 },
  };
}

/** Writes the config (JSON is YAML) into a fresh temp dir and creates an API key with the CLI, as an operator would. */
/** `cli` makes the data directory with another build (a before/after comparison across a schema migration needs each build's own file). */
export async function prepareSwitchboard(instanceUrls: string[], cli: string = cliPath): Promise<SwitchboardSetup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const configPath = join(dataDir, 'bench-config.yaml');
  writeFileSync(configPath, JSON.stringify(switchboardBenchConfig(instanceUrls), null, 2));
  const keys = new BenchProcess('keys create', process.execPath, [cli, 'keys', 'create', '--tenant', 'bench', '--config', configPath, '--data-dir', dataDir]);
  const output = await keys.completed(30_000);
  const apiKey = output.trim().split('\n').at(-1)!.trim();
  if (!/^\S{16,}$/.test(apiKey)) throw new Error(`keys create printed no key: ${output}`);
  return { dataDir, configPath, apiKey, route: 'bench', cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** `cli` runs another build's `bin/switchboard.mjs` (a before/after comparison in one run). */
export async function startSwitchboard(setup: SwitchboardSetup, options: SpawnOptions & { cli?: string } = {}): Promise<RunningServer & { readyMs: number }> {
  const port = await freePort();
  const child = new BenchProcess('switchboard', process.execPath, [options.cli ?? cliPath, 'serve', '--config', setup.configPath, '--port', String(port), '--data-dir', setup.dataDir], options);
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await child.waitForHttp(`${url}/readyz`);
  return { process: child, url, port, readyMs };
}

/** Portkey's gateway, headless, routing to `mockUrl` (no `/v1`). Its readiness is `GET /` (it has no /readyz). */
export async function startPortkey(mockUrl: string, options: SpawnOptions = {}): Promise<RunningServer & { readyMs: number }> {
  requirePeers();
  const port = await freePort();
  const child = new BenchProcess('portkey', process.execPath, [join(peersDir, 'portkey-server.mjs')], {
    ...options,
    env: { PORT: String(port), PORTKEY_CUSTOM_HOST: `${mockUrl}/v1`, ...options.env },
  });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await child.waitForHttp(`${url}/`);
  return { process: child, url, port, readyMs };
}

export async function startAgentSquad(mockUrl: string): Promise<RunningServer & { readyMs: number }> {
  requirePeers();
  const port = await freePort();
  const child = new BenchProcess('agent-squad', process.execPath, [join(peersDir, 'agent-squad-server.mjs')], { env: { PORT: String(port), MOCK_URL: mockUrl } });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await child.waitForHttp(`${url}/readyz`, 30_000);
  return { process: child, url, port, readyMs };
}
