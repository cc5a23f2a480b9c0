/** Reads the import graph of the sources: every static, re-export and dynamic import of a relative module, as repository paths. */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

export interface ImportEdge {
  /** Importing file, relative to the repository root, e.g. `src/server/dispatcher.ts`. */
  from: string;
  /** Imported file, relative to the repository root, with `.ts` (sources are imported as `.js`). */
  to: string;
  /** The specifier as written. */
  specifier: string;
}

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`; comments are stripped first.
const importPattern = /(?:\bimport\s*(?:[^'"()]*?\bfrom\s*)?|\bexport\s*[^'"()]*?\bfrom\s*|\bimport\s*\(\s*)(['"])([^'"]+)\1/g;

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** The relative specifiers a source text imports (npm packages and node: builtins are left out). */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const match of stripComments(source).matchAll(importPattern)) {
    const specifier = match[2]!;
    if (specifier.startsWith('.')) found.push(specifier);
  }
  return found;
}

/** The edges of one file's imports, resolved against its path (both relative to the repository root, with `/`). */
export function edgesOf(from: string, source: string): ImportEdge[] {
  return importSpecifiers(source).map((specifier) => ({
    from,
    specifier,
    to: posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts'),
  }));
}

function listTs(directory: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) files.push(...listTs(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Every import edge of every `.ts` file under `root/<folder>`. */
export function readImportGraph(root: string, folder = 'src'): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of listTs(join(root, folder))) {
    const from = relative(root, file).split(sep).join('/');
    edges.push(...edgesOf(from, readFileSync(file, 'utf8')));
  }
  return edges;
}

