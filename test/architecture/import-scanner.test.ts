import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbiddenImports, importCycles, type ImportRule } from './import-rules.js';
import { describeEdge, edgesOf, importsOf, resolveImport } from './import-scanner.js';

const everyForm = `/** A module that mentions import x from 'in-a-comment' only in its comment. */
import { a, type B } from './a.js';
import type { C } from '../c.js';
import defaultsJson from '../catalog/defaults.json' with { type: 'json' };
import {
  d,
  e,
} from 'zod';
import 'node:process';
export { f } from './f.js';
export * from './g.js';
const text = "import h from './not-an-import.js'";
// import i from './commented-out.js';
const later = await import('./later.js');
const computed = await import(text);
type Lazy = typeof import('./lazy.js');
import legacy = require('node:fs');
`;

test('every import form is found, with its kind and line; comments, strings and computed specifiers are not imports', () => {
  assert.deepEqual(
    importsOf(everyForm).map((found) => [found.specifier, found.kind, found.line]),
    [
      ['./a.js', 'import', 2],
      ['../c.js', 'import type', 3],
      ['../catalog/defaults.json', 'import', 4],
      ['zod', 'import', 5],
      ['node:process', 'import', 9],
      ['./f.js', 'export from', 10],
      ['./g.js', 'export from', 11],
      ['./later.js', 'dynamic import', 14],
      ['./lazy.js', 'import type', 16],
      ['node:fs', 'require', 17],
    ],
  );
});

test('specifiers resolve to repository .ts files, builtins and packages', () => {
  assert.deepEqual(resolveImport('src/planner/deploy-simulation/deploy-plan.ts', '../../stats/seeded-random.js'), { kind: 'file', path: 'src/stats/seeded-random.ts' });
  assert.deepEqual(resolveImport('src/planner/deploy-simulation/deploy-parameters.ts', '../catalog/deploy-defaults.json'), { kind: 'file', path: 'src/planner/catalog/deploy-defaults.json' });
  assert.deepEqual(resolveImport('src/lab/load-result.ts', './load-recorder.js'), { kind: 'file', path: 'src/lab/load-recorder.ts' });
  assert.deepEqual(resolveImport('src/lab/x.ts', 'node:http'), { kind: 'builtin', name: 'http' });
  assert.deepEqual(resolveImport('src/lab/x.ts', 'fs/promises'), { kind: 'builtin', name: 'fs' });
  assert.deepEqual(resolveImport('src/lab/x.ts', 'undici'), { kind: 'package', name: 'undici' });
  assert.deepEqual(resolveImport('src/lab/x.ts', '@aws-sdk/client-dynamodb/dist-types'), { kind: 'package', name: '@aws-sdk/client-dynamodb' });
});

const rules: ImportRule[] = [
  { from: 'src/lab/', mayImport: ['src/lab/', 'src/stats/', 'src/errors.ts'] },
  { from: 'src/planner/', mayImport: ['src/planner/', 'src/stats/', 'src/errors.ts'] },
];

test('a planner file importing the lab, or the lab importing a folder outside its ground, is forbidden', () => {
  const planner = edgesOf(
    'src/planner/deploy-simulation/seeded-random.ts',
    `import { SeededRandom } from '../../lab/seeded-random.js';\nimport { percentileOfSorted } from '../../stats/percentile-of-sorted.js';\nimport { readFileSync } from 'node:fs';\nimport { z } from 'zod';\n`,
  );
  const lab = edgesOf('src/lab/load-report.ts', `import type { Runtime } from '../runtime.js';\nimport { SwitchboardError } from '../errors.js';\nconst later = () => import('../server/http-server.js');\nimport type { X } from '../errors-extra.js';\n`);
  assert.deepEqual(forbiddenImports([...planner, ...lab], rules).map(describeEdge), [
    "src/planner/deploy-simulation/seeded-random.ts:1 imports src/lab/seeded-random.ts (import '../../lab/seeded-random.js')",
    "src/lab/load-report.ts:1 imports src/runtime.ts (import type '../runtime.js')",
    "src/lab/load-report.ts:3 imports src/server/http-server.ts (dynamic import '../server/http-server.js')",
    // A file named whole is not a prefix of its neighbours.
    "src/lab/load-report.ts:4 imports src/errors-extra.ts (import type '../errors-extra.js')",
  ]);
  // Files no rule names are not checked; packages are refused only where a rule says so.
  assert.deepEqual(forbiddenImports(edgesOf('src/cli/main.ts', `import '../planner/plan-gpu-run.js';`), rules), []);
  assert.equal(forbiddenImports(edgesOf('src/lab/x.ts', `import 'undici';`), [{ from: 'src/lab/', mayImport: [], packages: false }]).length, 1);
});

test('import cycles are found, self-imports too; a chain is not a cycle', () => {
  const loop = [
    ...edgesOf('src/planner/deploy-plan.ts', `import { recommendPlatform } from './deploy-recommendation.js';\nimport { x } from './x.js';`),
    ...edgesOf('src/planner/deploy-recommendation.ts', `import type { DeployPlan } from './deploy-plan.js';`),
    ...edgesOf('src/planner/x.ts', `import { y } from './y.js';`),
    ...edgesOf('src/planner/self.ts', `export * from './self.js';`),
  ];
  assert.deepEqual(importCycles(loop), [['src/planner/deploy-plan.ts', 'src/planner/deploy-recommendation.ts'], ['src/planner/self.ts']]);
  assert.deepEqual(importCycles(loop.filter((edge) => edge.from !== 'src/planner/deploy-recommendation.ts' && edge.from !== 'src/planner/self.ts')), []);
});
