/**
 * The console page's files, built by `npm run build` into dist/console/ (scripts/build-bundles.mjs)
 * and served from memory: read once, on the first request, so an unused console costs nothing.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleAsset {
  readonly body: string;
  readonly contentType: string;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** dist/console/, found upwards from this module: dist/bin/ for the bundled CLI, dist/src/server/console/ for the compiled tests. */
export function findConsoleDirectory(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let directory = from; ; directory = dirname(directory)) {
    const candidate = join(directory, 'console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}

let loaded: ReadonlyMap<string, ConsoleAsset> | undefined;

/** The files by name (`index.html`, `console.js`, `console.css`); empty when the console was not built. */
export function consoleAssets(): ReadonlyMap<string, ConsoleAsset> {
  if (loaded) return loaded;
  const assets = new Map<string, ConsoleAsset>();
  const directory = findConsoleDirectory();
  if (directory) {
    for (const name of readdirSync(directory)) {
      const type = contentTypes[name.slice(name.lastIndexOf('.'))];
      if (type) assets.set(name, { body: readFileSync(join(directory, name), 'utf8'), contentType: type });
    }
  }
  return (loaded = assets);
}
