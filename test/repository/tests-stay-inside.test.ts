/**
 * A clean clone runs its own tests: no test names a file outside the repository. Every relative
 * path literal in test/ (imports included) must reach an existing file or folder inside the
 * repository, resolved from the source file, from its compiled copy, or from the root.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { isInsideRepository, repositoryRoot } from '../support/repository-root.js';

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Quoted strings that start by leaving their folder; template literals with substitutions are skipped. */
const upwardLiteral = /(['"`])(\.\.\/[^'"`$\n]*)\1/g;

function pathsOutside(sourcePath: string, text: string): string[] {
  const fromSource = dirname(sourcePath);
  const fromCompiled = join(repositoryRoot, 'dist', relative(repositoryRoot, fromSource));
  const outside: string[] = [];
  for (const match of text.matchAll(upwardLiteral)) {
    const literal = match[2]!;
    const reachable = [fromSource, fromCompiled, repositoryRoot].some((base) => {
      const target = resolve(base, literal);
      return isInsideRepository(target) && existsSync(target);
    });
    if (!reachable) outside.push(literal);
  }
  return outside;
}

/** Files whose relative paths are source text under test, not files to reach: the import scanner's fixtures. */
const fixtureSources = new Set(['test/architecture/import-scanner.test.ts']);

describe('the tests stay inside the repository', () => {
  it('every relative path in test/ reaches something inside the repository', () => {
    const files = sourceFiles(join(repositoryRoot, 'test')).filter((path) => !fixtureSources.has(relative(repositoryRoot, path)));
    const problems = files.flatMap((path) =>
      pathsOutside(path, readFileSync(path, 'utf8')).map((literal) => `${relative(repositoryRoot, path)}: ${literal}`),
    );
    assert.deepEqual(problems, []);
  });

  it('catches a path that leaves the repository or names nothing', () => {
    const sample = join(repositoryRoot, 'test', 'planner', 'sample.test.ts');
    const outsideReference = ['..', 'shared', 'reference', 'table.tsv'].join('/');
    assert.deepEqual(pathsOutside(sample, `readFileSync(resolve(root, '${outsideReference}'))`), [outsideReference]);
    const missingModule = ['..', '..', 'src', 'no-such-module.js'].join('/');
    assert.deepEqual(pathsOutside(sample, `import { x } from '${missingModule}'`), [missingModule]);
    assert.deepEqual(pathsOutside(sample, `import { x } from '../support/repository-root.js'; new URL('../../../', import.meta.url)`), []);
  });
});
