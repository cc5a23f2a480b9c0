/** What every standalone benchmark does around its own work: stop its servers on a signal or a failure, and write its figures into docs/. */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './bench-load.js';
import { stopAll } from './bench-process.js';
import { writeJson, writeMarkdownSection } from './bench-report.js';
import { repositoryRoot } from './bench-servers.js';

/** A whole-number setting from the environment, `fallback` when unset; a bad value is refused naming the variable. */
export function intSetting(name: string, fallback: number, minimum = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) throw new RangeError(`${name} must be an integer ≥ ${minimum}, got ${raw}`);
  return value;
}

/** Runs `main`; on SIGINT/SIGTERM or an error, every server the bench started is stopped first. */
export function runBench(name: string, main: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping every server`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  main().catch(async (error: unknown) => {
    process.stderr.write(`${name} failed: ${(error as Error).stack ?? String(error)}\n`);
    await stopAll();
    process.exitCode = 1;
  });
}

/** Writes `docs/<jsonFile>` and replaces the `<section>-bench` section of docs/benchmarks.md (BENCH_DOCS_DIR overrides docs/). */
export function writeBenchDocs(section: string, jsonFile: string, json: unknown, markdown: string): void {
  const docs = process.env.BENCH_DOCS_DIR ?? join(repositoryRoot, 'docs');
  mkdirSync(docs, { recursive: true });
  writeJson(join(docs, jsonFile), json);
  writeMarkdownSection(join(docs, 'benchmarks.md'), `<!-- ${section}-bench:start -->`, `<!-- ${section}-bench:end -->`, markdown);
  log(`wrote ${join(docs, 'benchmarks.md')} and ${jsonFile}`);
}
