import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forbiddenImports, importCycles, type ImportRule } from './import-rules.js';
import { describeEdge, scanImports } from './import-scanner.js';

// The compiled test runs from dist/test/architecture/; the sources it reads are the repository's.
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** What lab and planner may stand on (docs/decisions.md, "Planner and lab share ground modules"). */
const ground = ['src/stats/', 'src/charts/', 'src/config/', 'src/errors.ts'];
const rules: ImportRule[] = [
  { from: 'src/lab/', mayImport: ['src/lab/', ...ground] },
  { from: 'src/planner/', mayImport: ['src/planner/', ...ground] },
];

const edges = scanImports(root, ['src/lab', 'src/planner']);

test('the scanner reads the imports of every lab and planner file, and each resolves to a file that exists', () => {
  const importing = new Set(edges.map((edge) => edge.from));
  assert.ok(importing.has('src/lab/load-result.ts') && importing.has('src/planner/deploy-simulation/deploy-plan.ts'));
  assert.ok(edges.length > 150, `only ${edges.length} imports found`);
  const missing = edges.filter((edge) => edge.target.kind === 'file' && !existsSync(join(root, edge.target.path)));
  assert.deepEqual(missing.map(describeEdge), []);
});

test('the planner never imports the lab, the lab never the planner, and both import only ground modules', () => {
  assert.deepEqual(forbiddenImports(edges, rules).map(describeEdge), []);
});

test('the ground modules lab and planner use stand on nothing else', () => {
  const groundEdges = scanImports(root, ['src/stats', 'src/charts']);
  assert.ok(groundEdges.length > 0);
  const groundRules: ImportRule[] = [
    { from: 'src/stats/', mayImport: ['src/stats/'] },
    { from: 'src/charts/', mayImport: ['src/charts/', 'src/stats/'] },
  ];
  assert.deepEqual(forbiddenImports(groundEdges, groundRules).map(describeEdge), []);
});

test('no lab or planner files import each other in a loop', () => {
  assert.deepEqual(importCycles(edges), []);
});
