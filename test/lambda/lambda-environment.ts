/**
 * Lays out a Lambda execution environment on disk and drives it: the built package alone in a task
 * folder, beside a node_modules that holds only the AWS SDK (what the Lambda Node.js runtime
 * provides), and the bootstrap stand-in (test/support/lambda-bootstrap.ts) invoking the handler.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BootstrapHello, InvocationAnswer } from '../support/lambda-bootstrap.js';
import { repositoryRoot } from '../support/repository-root.js';

const bootstrapPath = fileURLToPath(new URL('../support/lambda-bootstrap.js', import.meta.url));
export const lambdaPackage = join(repositoryRoot, 'dist', 'lambda');

/** The folder of an installed package as Node would find it from `from`, walking up node_modules. */
function packageFolder(name: string, from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(directory) === directory) throw new Error(`${name} is not installed above ${from}`);
  }
}

/**
 * Copies `roots` and everything they depend on from the repository's node_modules into
 * `target`/node_modules, keeping each package's place (nested copies stay nested). Copies, not
 * links: a link would let Node find the rest of the repository's node_modules through it.
 */
export function copyPackageClosure(roots: string[], target: string): string[] {
  const copied = new Set<string>();
  const pending = roots.map((name) => packageFolder(name, repositoryRoot));
  while (pending.length > 0) {
    const folder = pending.pop()!;
    if (copied.has(folder)) continue;
    copied.add(folder);
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      try {
        pending.push(packageFolder(name, folder));
      } catch (error) {
        if (!manifest.optionalDependencies?.[name]) throw error;
      }
    }
  }
  for (const folder of copied) {
    const destination = join(target, relative(repositoryRoot, folder));
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(folder, destination, { recursive: true, filter: (source) => !source.slice(folder.length).includes('/node_modules/') });
  }
  return [...copied].map((folder) => relative(join(repositoryRoot, 'node_modules'), folder)).sort();
}

export interface LambdaEnvironment {
  readonly hello: BootstrapHello;
  invoke(handler: string, event: unknown): Promise<InvocationAnswer>;
  output(): string;
  close(): Promise<void>;
}

/** Starts a fresh execution environment on `taskRoot` with exactly `env` (nothing inherited but PATH). */
export function startLambdaEnvironment(taskRoot: string, env: Record<string, string>, probes: string[]): Promise<LambdaEnvironment> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bootstrapPath], {
    cwd: taskRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LAMBDA_TASK_ROOT: taskRoot, BOOTSTRAP_PROBE: probes.join(','), ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waiting = new Map<number, (answer: InvocationAnswer) => void>();
  let nextId = 1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`the environment did not load within 30 s:\n${stderr}`))), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the environment exited (${code}) before loading the handler:\n${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: BootstrapHello | InvocationAnswer;
      try {
        message = JSON.parse(line) as BootstrapHello | InvocationAnswer;
      } catch {
        stderr += `${line}\n`; // the handler's own logs
        return;
      }
      if (message.kind === 'hello') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        // An environment that dies answers every invocation still waiting, instead of leaving it hanging.
        child.once('exit', (code, signal) => {
          for (const [id, answer] of waiting) answer({ kind: 'answer', id, error: `the environment exited (${code ?? signal}):\n${stderr}` });
          waiting.clear();
        });
        resolve({
          hello: message,
          invoke: (handler, event) =>
            new Promise((answer) => {
              const id = nextId++;
              waiting.set(id, answer);
              child.stdin.write(`${JSON.stringify({ id, handler, event })}\n`);
            }),
          output: () => stderr,
          close: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      } else {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      }
    });
  });
}

/** An API Gateway HTTP API / Function URL event (payload format 2.0), as the two services send it. */
export function httpEvent(method: string, path: string, options: { body?: string; headers?: Record<string, string>; domain?: string } = {}) {
  const domain = options.domain ?? 'abc123.execute-api.us-east-1.amazonaws.com';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: domain, 'x-forwarded-proto': 'https', ...options.headers },
    requestContext: {
      accountId: '123456789012',
      apiId: domain.split('.')[0],
      domainName: domain,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'lambda-package-test' },
      requestId: `request-${path}`,
      routeKey: '$default',
      stage: '$default',
      time: '01/Nov/2026:00:00:00 +0000',
      timeEpoch: 1793491200000,
    },
    ...(options.body === undefined ? {} : { body: Buffer.from(options.body).toString('base64'), isBase64Encoded: true }),
  };
}
