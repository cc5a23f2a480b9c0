/** A child process of the routing benchmark: runs either the simulator instances or a Switchboard server, and reports its addresses over IPC. */

import { pino } from 'pino';
import { parseConfig } from '../src/config/load-config.js';
import { startLlmSimulator, type LlmSimulator, type LlmSimulatorOptions } from '../src/lab/llm-simulator.js';
import { createRuntime } from '../src/app/runtime.js';
import { startHttpServer } from '../src/server/http-server.js';

export type WorkerReport = { kind: 'simulators'; urls: string[] } | { kind: 'switchboard'; url: string; key: string };

function send(report: WorkerReport): void {
  process.send!(report);
}

/** Runs until the parent says stop (or goes away), then closes what it started. */
function onStop(close: () => Promise<void>): void {
  const stop = () => {
    void close().finally(() => process.exit(0));
  };
  process.on('message', (message) => {
    if (message === 'stop') stop();
  });
  process.on('disconnect', stop);
}

async function runSimulators(options: LlmSimulatorOptions[]): Promise<void> {
  const simulators: LlmSimulator[] = [];
  for (const instance of options) simulators.push(await startLlmSimulator({ ...instance, host: '127.0.0.1', port: 0 }));
  onStop(async () => {
    await Promise.all(simulators.map((simulator) => simulator.close()));
  });
  send({ kind: 'simulators', urls: simulators.map((simulator) => simulator.url) });
}

async function runSwitchboard(configInput: unknown): Promise<void> {
  const runtime = await createRuntime(parseConfig(configInput, 'routing benchmark'), { logger: pino({ level: 'error' }), defaultMetrics: false });
  const server = await startHttpServer(runtime, { port: 0, host: '127.0.0.1' });
  const { key } = await runtime.store.keys.create({ tenant: 'bench', role: 'user' });
  onStop(async () => {
    await server.shutdown(1_000);
    await runtime.close();
  });
  send({ kind: 'switchboard', url: server.url, key });
}

const [role, payload] = process.argv.slice(2);
if (role === 'simulators') await runSimulators(JSON.parse(payload!) as LlmSimulatorOptions[]);
else if (role === 'switchboard') await runSwitchboard(JSON.parse(payload!));
else throw new Error(`unknown worker role ${role}`);
