#!/usr/bin/env node
// Bundles what ships with esbuild, after tsc has type-checked and compiled the sources:
//  - dist/bin/switchboard.mjs: the CLI and server. One bundle instead of ~250 files cuts start-up
//    by about a quarter (module resolution and file reads were 40% of it; see docs/decisions.md).
//    Code splitting keeps each command's and each store's code in its own chunk, loaded on use.
//    Identifiers are kept so stack traces stay readable; a linked source map is written for
//    `node --enable-source-maps`.
//  - dist/lambda/: the Lambda package, minified. handler.mjs plus chunks, with everything bundled
//    but what the Lambda Node.js runtime provides (the AWS SDK v3). ioredis is bundled into the
//    chunk of the Redis store and limiter, loaded only when configured; better-sqlite3 (a native
//    module) is not shipped, and the handler refuses a SQLite store.
//  - dist/console/: the console page (index.html, console.js, console.css with uPlot's styles),
//    minified for the browser and served by the server itself: no CDN, nothing fetched at run time.
// For the CLI, better-sqlite3, the AWS SDK and ioredis stay external: they are loaded from
// node_modules, and only when configured.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { lazyDependencyRequires } from './lazy-dependency-requires.mjs';

const root = new URL('..', import.meta.url).pathname;
// zod's index re-exports every locale it has (`z.locales`, ~40 languages, 38% of its code) and
// nothing here uses one but the English that zod configures itself: the bundles get that only.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: `${root}scripts/zod-english-locale.mjs` } : undefined));
  },
};
const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  // pino and other CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [zodEnglishOnly],
};

const started = performance.now();
// Chunk names carry hashes: without a clean folder, the Lambda package would ship stale ones (and
// dist/compile-cache/ would keep the code of chunks no build has any more).
for (const folder of ['dist/bin', 'dist/lambda', 'dist/console', 'dist/compile-cache']) rmSync(`${root}${folder}`, { recursive: true, force: true });
await Promise.all([
  build({
    ...shared,
    external: ['better-sqlite3', '@aws-sdk/*', 'ioredis'],
    plugins: [zodEnglishOnly, lazyDependencyRequires({ externalOtelApiForPromClient: true })],
    entryPoints: { switchboard: `${root}src/cli/entry.ts` },
    outdir: `${root}dist/bin`,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minifyWhitespace: true,
    minifySyntax: true,
  }),
  build({
    ...shared,
    external: ['better-sqlite3', '@aws-sdk/*'],
    plugins: [zodEnglishOnly, lazyDependencyRequires()],
    entryPoints: { handler: `${root}src/lambda/handler.ts` },
    outdir: `${root}dist/lambda`,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
  }),
  build({
    bundle: true,
    platform: 'browser',
    target: 'es2020',
    format: 'esm',
    entryPoints: { console: `${root}src/console/console-app.ts` },
    outdir: `${root}dist/console`,
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  }),
]);
mkdirSync(`${root}dist/console`, { recursive: true });
copyFileSync(`${root}src/console/index.html`, `${root}dist/console/index.html`);
const size = (path) => `${(statSync(`${root}${path}`).size / 1024).toFixed(0)} KiB`;
const packageSize = () => {
  let bytes = 0;
  for (const entry of readdirSync(`${root}dist/lambda`, { recursive: true, withFileTypes: true })) if (entry.isFile() && entry.name.endsWith('.mjs')) bytes += statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).size;
  return `${(bytes / 1024).toFixed(0)} KiB`;
};
console.log(`bundled dist/bin/switchboard.mjs (${size('dist/bin/switchboard.mjs')} + chunks), dist/lambda/ (handler.mjs ${size('dist/lambda/handler.mjs')}, ${packageSize()} with chunks) and dist/console/ (console.js ${size('dist/console/console.js')}, console.css ${size('dist/console/console.css')}) in ${(performance.now() - started).toFixed(0)} ms`);
