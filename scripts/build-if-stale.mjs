#!/usr/bin/env node
// Builds (`npm run build`) only when the sources changed since the last build: `prepare` builds once
// after install, and `npm start`, `npm test` and `npm run bench` start at once when nothing changed.
// The fingerprint covers every build input (path, size, mtime), so an edit, an added or a deleted file,
// or a new lockfile all rebuild.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const fingerprintFile = join(root, 'dist', '.build-fingerprint');
const inputs = ['src', 'test', 'bench', 'scripts/build-bundles.mjs', 'scripts/zod-english-locale.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];
const outputs = ['dist/bin/switchboard.mjs', 'dist/lambda/handler.mjs'];

function walk(path, lines) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isDirectory()) {
    for (const name of readdirSync(path).sort()) if (name !== 'node_modules') walk(join(path, name), lines);
  } else {
    lines.push(`${relative(root, path)} ${stat.size} ${stat.mtimeMs}`);
  }
}

function fingerprint() {
  const lines = [];
  for (const input of inputs) walk(join(root, input), lines);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

const current = fingerprint();
const previous = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, 'utf8').trim() : undefined;
if (previous === current && outputs.every((output) => existsSync(join(root, output)))) process.exit(0);

console.error(previous === undefined ? 'building (no build yet)…' : 'building (sources changed since the last build)…');
const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
mkdirSync(join(root, 'dist'), { recursive: true });
// The fingerprint of the sources the build started from: an edit made during the build rebuilds next time.
writeFileSync(fingerprintFile, `${current}\n`);
