/**
 * The container image builds and runs, reproduced without a Docker engine: the builder stage's
 * COPY lines copy exactly their paths into an empty folder, its RUN lines run there in order
 * (installing from the lockfile), the runtime stage's COPY --from lines assemble the image's /app,
 * and its ENTRYPOINT serves until /readyz answers 200.
 *
 * Slow (npm ci and a from-source build of better-sqlite3, several minutes on two cores), so it is a
 * `.slow-test`: `npm run test:slow` runs it, and .ci/run does so after `npm test`.
 * Differences from `docker build`, on purpose: this machine's Node.js (the image uses the Dockerfile's
 * base), the npm cache (npm_config_prefer_offline), and the apt-get toolchain line is not run (it
 * installs python3, make and g++ into the image; the test checks this machine has them instead).
 */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { repositoryRoot } from '../support/repository-root.js';
import { execForm, parseDockerfile, type DockerStage } from './dockerfile-check.js';

const dockerfile = readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const builder = stages[0]!;
const runtime = stages.at(-1)!;
const ignored = readFileSync(join(repositoryRoot, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
const scratch = mkdtempSync(join(tmpdir(), 'switchboard-image-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Whether .dockerignore excludes a context path: a pattern matches from the root (and so does everything under it), `**\/` anywhere. */
function isIgnored(relativePath: string): boolean {
  const parts = relativePath.split('/');
  const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  return ignored.some((pattern) => {
    const anywhere = pattern.startsWith('**/');
    const body = anywhere ? pattern.slice(3) : pattern;
    const matcher = new RegExp(`^${body.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    return (anywhere ? parts : prefixes).some((candidate) => matcher.test(candidate));
  });
}

/** `COPY [--from=x] src... dest` relative to WORKDIR /app. */
function copyArgs(args: string): { from?: string; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const from = words[0]?.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
  const destination = words.pop()!;
  return { from, sources: words, destination };
}

function workdir(stage: DockerStage): string {
  const directory = stage.instructions.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.args;
  assert.equal(directory, '/app', 'the test maps WORKDIR /app onto its folders');
  return directory;
}

function run(command: string, cwd: string): { ms: number } {
  const started = performance.now();
  const result = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_prefer_offline: 'true' }, timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `RUN ${command} failed (${result.status ?? result.signal}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  return { ms: performance.now() - started };
}

describe('the container image, built without Docker', { timeout: 45 * 60_000 }, () => {
  const build = join(scratch, 'build');
  const image = join(scratch, 'image');

  it('builds: the builder stage copies exactly its COPY paths and runs its commands there', () => {
    workdir(builder);
    mkdirSync(build);
    const copied: string[] = [];
    for (const instruction of builder.instructions) {
      if (instruction.keyword === 'COPY') {
        const { from, sources, destination } = copyArgs(instruction.args);
        assert.equal(from, undefined, 'the builder copies from the build context only');
        for (const source of sources) {
          assert.ok(!isIgnored(source), `COPY ${source} is excluded by .dockerignore`);
          const target = destination.endsWith('/') ? join(build, destination, source) : join(build, destination);
          cpSync(join(repositoryRoot, source), target, { recursive: true, filter: (path) => !isIgnored(path.slice(repositoryRoot.length + 1)) });
          copied.push(source);
        }
      } else if (instruction.keyword === 'RUN') {
        if (/^apt-get update\b/.test(instruction.args)) {
          for (const tool of ['python3', 'make', 'g++']) assert.equal(spawnSync('sh', ['-c', `command -v ${tool}`]).status, 0, `${tool}, which the image's apt-get line installs, is on this machine`);
          continue;
        }
        const { ms } = run(instruction.args, build);
        console.log(`RUN ${instruction.args}: ${(ms / 1000).toFixed(1)} s`);
      }
    }
    console.log(`COPY ${copied.join(' ')}`);
    assert.ok(existsSync(join(build, 'dist', 'bin', 'switchboard.mjs')), 'npm run build produced the entrypoint');
  });

  it('runs: the runtime stage holds only what it copies from the builder, and its entrypoint serves /readyz 200', async () => {
    workdir(runtime);
    mkdirSync(image);
    for (const instruction of runtime.instructions.filter((candidate) => candidate.keyword === 'COPY')) {
      const { from, sources, destination } = copyArgs(instruction.args);
      assert.equal(from, builder.name, 'the runtime copies from the builder');
      for (const source of sources) cpSync(join(build, source.replace(/^\/app\//, '')), resolve(image, destination), { recursive: true });
    }
    // The demo's knowledge (catalogue and FAQ) is data the built-in demo config ingests at start.
    assert.deepEqual(readdirSync(image).sort(), ['demo', 'dist', 'node_modules', 'package.json']);
    assert.ok(existsSync(join(image, 'demo', 'knowledge', 'products.jsonl')), 'the demo catalogue is in the image');
    assert.ok(!existsSync(join(image, 'node_modules', 'typescript')), 'devDependencies were pruned');
    const env = Object.fromEntries(runtime.instructions.filter((instruction) => instruction.keyword === 'ENV').map((instruction) => instruction.args.split('=') as [string, string]));
    const entrypoint = execForm(runtime.instructions.filter((instruction) => instruction.keyword === 'ENTRYPOINT').at(-1)!.args)!;
    assert.equal(entrypoint[0], 'node');
    // The Dockerfile's own local run: `serve --data-dir /tmp/switchboard`, here on a free loopback port.
    const child = spawn(process.execPath, [...entrypoint.slice(1), 'serve', '--data-dir', join(scratch, 'data'), '--port', '0', '--host', '127.0.0.1'], { cwd: image, env: { PATH: process.env.PATH, ...env } });
    try {
      let output = '';
      const url = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`not listening within 30 s:\n${output}`)), 30_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match) (clearTimeout(timer), resolveUrl(match[1]!));
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited with ${code}:\n${output}`))));
      });
      const ready = await fetch(`${url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
