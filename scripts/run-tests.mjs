#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner. Node 20's `--test` takes no
// globs, so the files are listed here; pass paths or substrings to run a subset. `--slow` runs
// the *.slow-test files instead (minutes each; .ci/run runs them after the suite).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { ensureTestServices } from './test-services.mjs';

const root = new URL('../dist/test/', import.meta.url).pathname;
const sources = new URL('../test/', import.meta.url).pathname;
const slow = process.argv.includes('--slow');
const filters = process.argv.slice(2).filter((argument) => argument !== '--slow');
const suffix = slow ? '.slow-test.js' : '.test.js';

function collect(directory) {
  const files = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) files.push(...collect(path));
    // tsc never deletes: a compiled test whose source is gone is not run.
    else if (name.endsWith(suffix) && existsSync(join(sources, relative(root, path)).replace(/\.js$/, '.ts'))) files.push(path);
  }
  return files;
}

const files = collect(root)
  .filter((file) => filters.length === 0 || filters.some((filter) => relative(root, file).includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'} under ${root}`);
  process.exit(1);
}
const services = await ensureTestServices();
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { stdio: 'inherit', env: { ...process.env, ...services.env } });
child.on('exit', (code, signal) => {
  services.stop();
  process.exit(signal ? 1 : code ?? 1);
});
