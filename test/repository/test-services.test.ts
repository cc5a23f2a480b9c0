/**
 * `npm test` on a machine without a Redis listening: it starts a throwaway redis-server on a free
 * port when the binary is there, and otherwise stops at once with one line saying what is missing.
 * Checked by running the suite's own runner on one small Redis test, with the configured Redis
 * pointed at a port where nothing listens.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closedLoopbackPort } from '../support/closed-port.js';
import { repositoryRoot } from '../support/repository-root.js';

const runner = join(repositoryRoot, 'scripts', 'run-tests.mjs');
const binDirectory = mkdtempSync(join(tmpdir(), 'switchboard-bin-'));
after(() => rmSync(binDirectory, { recursive: true, force: true }));

const closedPort = closedLoopbackPort;

/**
 * Whether a Redis answers PING on the port. Not merely whether something listens: the freed port of the
 * throwaway Redis can be taken at once by a server another test file starts in parallel.
 */
function answersRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

function runRunner(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [runner, ...args], { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the test runner and the services the suite needs', () => {
  it('stops at once with one line naming what is missing when no Redis answers and redis-server and java are not installed', async () => {
    // A PATH with node alone on it.
    symlinkSync(process.execPath, join(binDirectory, 'node'));
    const port = await closedPort();
    const result = await runRunner(['stores/redis-store'], { PATH: binDirectory, SWITCHBOARD_TEST_REDIS_URL: `redis://127.0.0.1:${port}` });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '', 'no test ran');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, new RegExp(`^npm test needs Redis \\(none answers at redis://127\\.0\\.0\\.1:${port} and redis-server is not installed.*\\) and Java 17 or later for DynamoDB Local`));
  });

  it('starts a throwaway redis-server on a free port when none answers, runs the tests on it, and stops it', async () => {
    const port = await closedPort();
    // Without NODE_TEST_CONTEXT the nested runner reports as a top-level run would, not to this one.
    const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
    const result = await runRunner(['stores/redis-store'], { ...env, SWITCHBOARD_TEST_REDIS_URL: `redis://127.0.0.1:${port}` });
    assert.equal(result.code, 0, result.stdout.slice(-3000) + result.stderr);
    const started = /started a throwaway redis-server at redis:\/\/127\.0\.0\.1:(\d+) for this run/.exec(result.stderr);
    assert.ok(started, result.stderr);
    assert.match(result.stdout, /ℹ pass [1-9]\d*\nℹ fail 0/);
    assert.equal(await answersRedis(Number(started[1])), false, 'the throwaway Redis is gone after the run');
  });
});
