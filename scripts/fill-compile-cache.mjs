#!/usr/bin/env node
// Fills dist/compile-cache/ (V8's code cache, src/cli/compile-cache.ts) by starting the built server
// once, as the container image's build does: the built-in demo config (SQLite store, an OpenAI-style
// pool of simulators, the knowledge base) is served on a loopback port until /readyz answers 200,
// one chat request goes through, and SIGTERM drains it; Node writes the cache of every module it
// loaded on the way out. A module no start here loads (the DynamoDB store, Redis) is compiled from
// source on its first use, as without a cache. Needs Node ≥ 22.1; on an older Node it says so and
// exits 0 (there is nothing to fill, and the image builds the same).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
if (typeof module.enableCompileCache !== 'function') {
  console.log(`fill-compile-cache: Node ${process.version} has no compile cache (Node 22.1 added it); nothing to fill`);
  process.exit(0);
}
const started = performance.now();
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-fill-cache-'));
const env = { ...process.env };
// The cache goes where the entry looks for it, not where an operator's variable points.
delete env.NODE_COMPILE_CACHE;
delete env.NODE_DISABLE_COMPILE_CACHE;
const child = spawn(process.execPath, [`${root}dist/bin/switchboard.mjs`, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
try {
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) (clearTimeout(timer), resolve(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => (clearTimeout(timer), reject(new Error(`exited with ${code}:\n${output}`))));
  });
  const ready = await fetch(`${url}/readyz`);
  if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}`);
  // The first key of a fresh store is printed once; with it, one turn of the request path.
  const key = /shown only this once\):\s+(\S+)/.exec(output)?.[1];
  const route = /"model":"([^"]+)"/.exec(output)?.[1];
  if (key && route) {
    const chat = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: route, messages: [{ role: 'user', content: 'Where is my order 12345?' }] }) });
    await chat.arrayBuffer();
    if (chat.status !== 200) throw new Error(`the chat request answered ${chat.status}`);
  }
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`the server exited with ${code} after SIGTERM:\n${output}`);
} catch (error) {
  child.kill('SIGKILL');
  throw error;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
// Node writes its cache files readable by their owner only; the image copies them owned by root
// for a server that runs as another user, so they are made readable by all (and writable by none but
// their owner, which the image's copy makes root).
let files = 0;
chmodSync(`${root}dist/compile-cache`, 0o755);
for (const entry of readdirSync(`${root}dist/compile-cache`, { recursive: true, withFileTypes: true })) {
  const path = `${entry.parentPath ?? entry.path}/${entry.name}`;
  if (entry.isDirectory()) chmodSync(path, 0o755);
  else if (entry.isFile()) (chmodSync(path, 0o644), files++);
}
console.log(`fill-compile-cache: dist/compile-cache/ holds ${files} cached modules (Node ${process.version}) in ${(performance.now() - started).toFixed(0)} ms`);
