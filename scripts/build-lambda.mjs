#!/usr/bin/env node
// Bundles the Lambda handler into one ESM file with esbuild: dist/lambda/handler.mjs.
// better-sqlite3 stays external (a native module; Lambda deployments use DynamoDB), and so
// do the AWS SDK packages, which the Node.js 20 Lambda runtime provides.
import { build } from 'esbuild';
import { statSync } from 'node:fs';

const outfile = new URL('../dist/lambda/handler.mjs', import.meta.url).pathname;
const started = performance.now();
await build({
  entryPoints: [new URL('../src/lambda/handler.ts', import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  external: ['better-sqlite3', '@aws-sdk/*', 'ioredis'],
  // pino and other CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`built ${outfile} (${(statSync(outfile).size / 1024).toFixed(0)} KiB) in ${(performance.now() - started).toFixed(0)} ms`);
