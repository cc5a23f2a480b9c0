/** Reads the imports of TypeScript sources with the compiler's own parser and resolves each to a repository file, a Node builtin or an npm package: the ground of the architecture tests. */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** How a module is pulled in; type-only imports count too: the layers are about design, not about emitted code. */
export type ImportKind = 'import' | 'import type' | 'export from' | 'dynamic import' | 'require';

export interface ImportStatement {
  specifier: string;
  kind: ImportKind;
  /** 1-based line of the statement. */
  line: number;
}

export type ImportTarget =
  /** A file of the repository, relative to its root with forward slashes (`src/stats/latency-summary.ts`). */
  | { kind: 'file'; path: string }
  | { kind: 'builtin'; name: string }
  | { kind: 'package'; name: string };

export interface ImportEdge extends ImportStatement {
  /** The importing file, relative to the repository root. */
  from: string;
  target: ImportTarget;
}

const builtins = new Set(builtinModules);

/** Every import, re-export, dynamic `import()` and `require()` with a literal specifier in `source`; comments and strings are not mistaken for imports. */
export function importsOf(source: string, fileName = 'source.ts'): ImportStatement[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ImportStatement[] = [];
  const add = (specifier: ts.Expression | undefined, kind: ImportKind, node: ts.Node): void => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    found.push({ specifier: specifier.text, kind, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ? 'import type' : 'import', node);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, 'export from', node);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, 'require', node);
    else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], 'dynamic import', node);
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') add(node.arguments[0], 'require', node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, 'import type', node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Where `specifier`, imported by the repository file `from`, points; TypeScript's `.js` specifiers name the `.ts` sources. */
export function resolveImport(from: string, specifier: string): ImportTarget {
  if (specifier.startsWith('node:')) return { kind: 'builtin', name: specifier.slice('node:'.length) };
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    return builtins.has(name) ? { kind: 'builtin', name } : { kind: 'package', name };
  }
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  return { kind: 'file', path: joined.replace(/\.js$/, '.ts') };
}

/** The `.ts` files under `folder` (relative to `root`), as repository paths, sorted. */
export function sourceFiles(root: string, folder: string): string[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(join(root, folder));
  return files.sort();
}

/** The import edges of one file, `from` being its repository path and `source` its text. */
export function edgesOf(from: string, source: string): ImportEdge[] {
  return importsOf(source, from).map((statement) => ({ ...statement, from, target: resolveImport(from, statement.specifier) }));
}

/** Every import edge of every source file under `folders` (relative to `root`). */
export function scanImports(root: string, folders: readonly string[]): ImportEdge[] {
  return folders.flatMap((folder) => sourceFiles(root, folder).flatMap((from) => edgesOf(from, readFileSync(join(root, from), 'utf8'))));
}

/** `src/a.ts:12 imports src/b.ts (import type)`: how an edge is named in a failure. */
export function describeEdge(edge: ImportEdge): string {
  const target = edge.target.kind === 'file' ? edge.target.path : `${edge.target.kind} ${edge.target.name}`;
  return `${edge.from}:${edge.line} imports ${target} (${edge.kind} '${edge.specifier}')`;
}
