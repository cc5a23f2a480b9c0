// The services the test suite needs, checked before any test runs: Redis (the one at
// SWITCHBOARD_TEST_REDIS_URL, default redis://127.0.0.1:6379, or else a throwaway redis-server on a
// free port when the binary is installed) and Java 17+ for DynamoDB Local. What is missing is said in
// one line, and the run stops at once.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((directory) => directory !== '' && existsSync(join(directory, command)));
}

function answers(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startThrowawayRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  process.once('exit', () => child.kill('SIGKILL'));
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    if (await answers('127.0.0.1', port)) return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not listen on 127.0.0.1:${port}`);
}

/** Resolves to the environment the tests need, or prints what is missing on one line and exits 1. */
export async function ensureTestServices() {
  const configured = process.env.SWITCHBOARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { hostname, port } = new URL(configured);
  const missing = [];
  const env = {};
  let stop = () => undefined;
  if (!(await answers(hostname, Number(port || 6379)))) {
    if (onPath('redis-server')) {
      const redis = await startThrowawayRedis();
      env.SWITCHBOARD_TEST_REDIS_URL = redis.url;
      stop = redis.stop;
      console.error(`no Redis answers at ${configured}; started a throwaway redis-server at ${redis.url} for this run`);
    } else {
      missing.push(`Redis (none answers at ${configured} and redis-server is not installed: apt-get install redis-server, or set SWITCHBOARD_TEST_REDIS_URL)`);
    }
  }
  if (!onPath('java') || spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    missing.push('Java 17 or later for DynamoDB Local (java is not on the PATH: apt-get install openjdk-17-jre-headless)');
  }
  if (missing.length > 0) {
    console.error(`npm test needs ${missing.join(' and ')}`);
    process.exit(1);
  }
  return { env, stop };
}
