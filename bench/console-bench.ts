/**
 * `npm run bench:console`: the console's page weight and time to first render in Debian's
 * chromium (playwright-core, headless, a fresh profile per run so nothing is cached), against a
 * real server under a light load; writes docs/benchmarks-console.json and its section of
 * docs/benchmarks.md.
 *
 * Environment: CONSOLE_BENCH_RUNS (7 cold page loads).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { createRuntime } from '../src/app/runtime.js';
import { demoConfig } from '../src/config/demo-config.js';
import { parseConfig } from '../src/config/load-config.js';
import { startHttpServer } from '../src/server/http-server.js';
import { percentileOfSorted } from '../src/stats/percentile-of-sorted.js';
import { round, runContext, table, writeJson, writeMarkdownSection } from './bench-report.js';
import { repositoryRoot } from './bench-servers.js';

const runs = Number(process.env.CONSOLE_BENCH_RUNS ?? 7);
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`CONSOLE_BENCH_RUNS must be a positive integer, got ${process.env.CONSOLE_BENCH_RUNS}`);

interface LoadMeasure {
  /** Bytes of every response the page load fetched, as sent (the server does not compress). */
  bytes: Record<string, number>;
  firstContentfulPaintMs: number;
  /** Navigation start to the first snapshot drawn in every panel. */
  firstRenderMs: number;
  scriptDurationMs: number;
}

/** What the page's performance timeline offers the measure (the bench compiles without DOM types). */
interface PagePerformance {
  getEntriesByName(name: string): { startTime: number }[];
}

const median = (values: number[]) => percentileOfSorted([...values].sort((left, right) => left - right), values.length, 0.5);

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-console-bench-'));
const config = parseConfig({ ...demoConfig, simulator: { instances: 2, ttftMs: 20, itlMs: 2, outputTokens: 12, seed: 7 }, logging: { level: 'silent' } });
const runtime = await createRuntime(config, { dataDir, logger: pino({ level: 'silent' }), defaultMetrics: false });
const server = await startHttpServer(runtime, { port: 0, host: '127.0.0.1' });
const admin = (await runtime.store.keys.create({ tenant: 'ops', role: 'admin' })).key;
const user = (await runtime.store.keys.create({ tenant: 'acme' })).key;
let loading = true;
const loop = (async () => {
  while (loading) {
    await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello' }] }) }).then((response) => response.arrayBuffer());
  }
})();

const measures: LoadMeasure[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const profile = mkdtempSync(join(tmpdir(), 'switchboard-console-bench-profile-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'], viewport: { width: 1400, height: 1000 } });
    try {
      // A returning tab: the key is already in sessionStorage, so the load goes straight to the panels.
      await context.addInitScript((key) => (globalThis as unknown as { sessionStorage: { setItem(name: string, value: string): void } }).sessionStorage.setItem('switchboard.adminKey', key), admin);
      const page = await context.newPage();
      const bytes: Record<string, number> = {};
      const bodies: Promise<void>[] = [];
      page.on('response', (response) => {
        const path = new URL(response.url()).pathname;
        if (path in bytes) return;
        bodies.push(response.body().then((body) => void (bytes[path] = body.length)).catch(() => undefined));
      });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.goto(`${server.url}/console`);
      // Polled from here: the console's CSP forbids the evaluation waitForFunction uses.
      for (let tries = 0; ; tries++) {
        if ((await page.evaluate(() => (globalThis as unknown as { performance: PagePerformance }).performance.getEntriesByName('console-first-render').length)) > 0) break;
        if (tries > 400) throw new Error('the console never rendered');
        await page.waitForTimeout(50);
      }
      const timing = await page.evaluate(() => {
        const performance = (globalThis as unknown as { performance: PagePerformance }).performance;
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        const render = performance.getEntriesByName('console-first-render')[0]!;
        return { firstContentfulPaintMs: paint?.startTime ?? Number.NaN, firstRenderMs: render.startTime };
      });
      const metrics = await cdp.send('Performance.getMetrics');
      await Promise.all(bodies);
      measures.push({ bytes, ...timing, scriptDurationMs: (metrics?.metrics.find((metric) => metric.name === 'ScriptDuration')?.value ?? Number.NaN) * 1000 });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
} finally {
  loading = false;
  await loop;
  await server.shutdown(1_000);
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const assetSizes = ['/console', '/console/console.js', '/console/console.css'].map((path) => ({ path, bytes: measures[0]!.bytes[path] ?? 0 }));
const { readFileSync } = await import('node:fs');
const gzipped = assetSizes.map(({ path }) => gzipSync(readFileSync(join(repositoryRoot, 'dist', 'console', path === '/console' ? 'index.html' : path.slice('/console/'.length)))).length);
const snapshotBytes = median(measures.map((measure) => measure.bytes['/v1/admin/console'] ?? 0));
const pageBytes = assetSizes.reduce((sum, asset) => sum + asset.bytes, 0);
const summary = {
  runs,
  pageBytes,
  pageBytesGzipped: gzipped.reduce((sum, value) => sum + value, 0),
  assets: assetSizes.map((asset, index) => ({ ...asset, gzipped: gzipped[index] })),
  snapshotBytes,
  firstContentfulPaintMs: round(median(measures.map((measure) => measure.firstContentfulPaintMs)), 1),
  firstRenderMs: round(median(measures.map((measure) => measure.firstRenderMs)), 1),
  firstRenderMsMax: round(Math.max(...measures.map((measure) => measure.firstRenderMs)), 1),
  scriptDurationMs: round(median(measures.map((measure) => measure.scriptDurationMs)), 1),
};
const context = runContext('npm run bench:console');
writeJson(join(repositoryRoot, 'docs', 'benchmarks-console.json'), { context, summary, measures });
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const body = `## Console: page weight and time to first render (issue 13)

\`${context.command}\` on ${context.machine.cpuModel} (${context.machine.cpuCount} cores, load ${context.loadAverageAtStart} at start), Node ${context.machine.node}, commit ${context.commit.slice(0, 7)}${context.dirty ? ' plus uncommitted changes' : ''}, ${context.date.slice(0, 16)} UTC. Debian's chromium, headless, a fresh profile per load (nothing cached), ${runs} loads of \`/console\` with the admin key already in the tab's sessionStorage, against a server serving a chat-completion loop.

${table(['file', 'as sent', 'gzipped (not sent: the server does not compress)'], [...summary.assets.map((asset) => [asset.path, kib(asset.bytes), kib(asset.gzipped ?? 0)]), ['**page total**', `**${kib(summary.pageBytes)}**`, kib(summary.pageBytesGzipped)], ['first snapshot (GET /v1/admin/console)', kib(summary.snapshotBytes), '']])}

${table(['median of ' + runs + ' cold loads', 'ms'], [['first contentful paint (the header)', summary.firstContentfulPaintMs], ['first render: every panel drawn from the first snapshot', `${summary.firstRenderMs} (max ${summary.firstRenderMsMax})`], ['script time in the page (CDP ScriptDuration)', summary.scriptDurationMs]])}

Times are from navigation start, on loopback: they are the browser's and the server's work, not a network's, and they grow with the machine's load (see the load average above: this machine is shared). uPlot is most of console.js.`;
writeMarkdownSection(join(repositoryRoot, 'docs', 'benchmarks.md'), '<!-- console-bench:start -->', '<!-- console-bench:end -->', body);
console.log(body);
