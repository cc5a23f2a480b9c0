#!/usr/bin/env node
// Bundles what ships with esbuild, after tsc has type-checked and compiled the sources:
//  - dist/bin/switchboard.mjs: the CLI and server. One bundle instead of ~250 files cuts start-up
//    by about a quarter (module resolution and file reads were 40% of it; see docs/decisions.md).
//    Code splitting keeps each command's and each store's code in its own chunk, loaded on use.
//    Identifiers are kept so stack traces stay readable; a linked source map is written for
//    `node --enable-source-maps`.
//  - dist/lambda/handler.mjs: the Lambda handler, minified, with the AWS SDK left to the runtime.
// better-sqlite3 (a native module), the AWS SDK and ioredis stay external: they are loaded from
// node_modules, and only when configured.
import { build } from 'esbuild';
import { statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  external: ['better-sqlite3', '@aws-sdk/*', 'ioredis'],
  // pino and other CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
};

const started = performance.now();
await Promise.all([
  build({
    ...shared,
    entryPoints: { switchboard: `${root}src/cli/main.ts` },
    outdir: `${root}dist/bin`,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minifyWhitespace: true,
    minifySyntax: true,
  }),
  build({ ...shared, entryPoints: [`${root}src/lambda/handler.ts`], outfile: `${root}dist/lambda/handler.mjs`, minify: true }),
]);
const size = (path) => `${(statSync(`${root}${path}`).size / 1024).toFixed(0)} KiB`;
console.log(`bundled dist/bin/switchboard.mjs (${size('dist/bin/switchboard.mjs')} + chunks) and dist/lambda/handler.mjs (${size('dist/lambda/handler.mjs')}) in ${(performance.now() - started).toFixed(0)} ms`);
