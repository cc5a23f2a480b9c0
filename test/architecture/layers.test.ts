import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { edgesOf, importSpecifiers, readImportGraph } from './import-graph.js';
import { findImportCycles } from './import-cycles.js';
import { layerViolation, partOf } from './layers.js';

// Compiled tests live in <outDir>/test/architecture/, and every outDir sits at the repository root.
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('the layers of src/', () => {
  it('reads static, type-only, re-export and dynamic imports, and skips packages and comments', () => {
    const source = [
      "import { a } from '../a.js';",
      "import type { B } from './b.js';",
      "export { c } from '../c/c.js';",
      "export * from './d.js';",
      "const e = await import('../e.js');",
      "import '../side-effect.js';",
      "import { z } from 'zod';",
      "import { readFileSync } from 'node:fs';",
      "// import { gone } from '../commented.js';",
      "/* import { gone } from '../block.js'; */",
      "import {\n  f,\n  g,\n} from './multi-line.js';",
    ].join('\n');
    assert.deepEqual(importSpecifiers(source), ['../a.js', './b.js', '../c/c.js', './d.js', '../e.js', '../side-effect.js', './multi-line.js']);
    assert.deepEqual(edgesOf('src/server/routes/x.ts', "import { y } from '../../models/y.js';").map((edge) => edge.to), ['src/models/y.ts']);
  });

  it('refuses each import that broke the layers before the architecture change', () => {
    const broken: [string, string][] = [
      ['src/server/route-table.ts', 'src/runtime.ts'],
      ['src/server/route-table.ts', 'src/app/runtime.ts'],
      ['src/pipeline/stages/admit-stage.ts', 'src/app/runtime.ts'],
      ['src/pipeline/stages/admit-stage.ts', 'src/server/admission-controller.ts'],
      ['src/stores/store-types.ts', 'src/models/chat-types.ts'],
      ['src/stores/store-input.ts', 'src/models/chat-types.ts'],
      ['src/telemetry/metrics.ts', 'src/models/model-router.ts'],
      ['src/server/redis-rate-limiter.ts', 'src/stores/redis/redis-key-names.ts'],
      ['src/cli/commands/store-init-command.ts', 'src/stores/dynamodb/dynamodb-table.ts'],
      ['src/access/redis-rate-limiter.ts', 'src/stores/redis/redis-script.ts'],
      ['src/planner/deploy-simulation/seeded-random.ts', 'src/lab/seeded-random.ts'],
      ['src/server/routes/turn-route.ts', 'src/cli/serve.ts'],
      ['src/models/model-router.ts', 'src/pipeline/stage.ts'],
      ['src/intent/tiered-intent-classifier.ts', 'src/agents/agent.ts'],
      ['src/lab/llm-simulator.ts', 'src/models/model-pool.ts'],
      ['src/server/http-server.ts', 'src/lab/llm-simulator.ts'],
    ];
    for (const [from, to] of broken) assert.ok(layerViolation(from, to), `${from} -> ${to} should be refused`);
    const fine: [string, string][] = [
      ['src/cli/serve.ts', 'src/app/runtime.ts'],
      ['src/app/runtime.ts', 'src/server/server-host.ts'],
      ['src/server/dispatcher.ts', 'src/pipeline/run-stages.ts'],
      ['src/pipeline/services.ts', 'src/access/admission-controller.ts'],
      ['src/access/redis-rate-limiter.ts', 'src/stores/redis/index.ts'],
      ['src/models/usage-recorder.ts', 'src/stores/store-types.ts'],
      ['src/stores/store-types.ts', 'src/chat/chat-types.ts'],
      ['src/config/load-config.ts', 'src/errors.ts'],
      ['src/app/simulators.ts', 'src/lab/llm-simulator.ts'],
      ['src/planner/gpu-plan-report.ts', 'src/stats/percentiles.ts'],
    ];
    for (const [from, to] of fine) assert.equal(layerViolation(from, to), undefined, `${from} -> ${to}`);
    assert.equal(partOf('src/errors.ts'), 'errors');
    assert.equal(partOf('src/models/calling/model-call.ts'), 'models');
  });

  it('has no import that points up, sideways or into a store backend', () => {
    const violations = readImportGraph(root)
      .map((edge) => ({ edge, why: layerViolation(edge.from, edge.to) }))
      .filter((found) => found.why !== undefined)
      .map(({ edge, why }) => `${edge.from} imports '${edge.specifier}': ${why}`);
    assert.deepEqual(violations, []);
  });

  it('finds import cycles, and src/ has none', () => {
    const loop = [...edgesOf('src/a.ts', "import './b.js';"), ...edgesOf('src/b.ts', "import './c.js';"), ...edgesOf('src/c.ts', "import type { A } from './a.js';")];
    assert.deepEqual(findImportCycles(loop), [['src/a.ts', 'src/b.ts', 'src/c.ts']]);
    assert.deepEqual(findImportCycles(readImportGraph(root)).map((cycle) => cycle.join(' -> ')), []);
  });
});
