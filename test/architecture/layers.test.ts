import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importCycles } from './import-rules.js';
import { describeEdge, edgesOf, scanImports } from './import-scanner.js';
import { layerViolation, partOf } from './layers.js';

// Compiled tests live in <outDir>/test/architecture/, and every outDir sits at the repository root.
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('the layers of src/', () => {
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
    const edges = scanImports(root, ['src']);
    assert.ok(edges.length > 500, `only ${edges.length} imports found`);
    const violations = edges
      .filter((edge) => edge.target.kind === 'file')
      .map((edge) => ({ edge, why: layerViolation(edge.from, (edge.target as { path: string }).path) }))
      .filter((found) => found.why !== undefined)
      .map(({ edge, why }) => `${describeEdge(edge)}: ${why}`);
    assert.deepEqual(violations, []);
  });

  it('finds import cycles, and src/ has none', () => {
    const loop = [...edgesOf('src/a.ts', "import './b.js';"), ...edgesOf('src/b.ts', "import './c.js';"), ...edgesOf('src/c.ts', "import type { A } from './a.js';")];
    assert.deepEqual(importCycles(loop), [['src/a.ts', 'src/b.ts', 'src/c.ts']]);
    assert.deepEqual(importCycles(scanImports(root, ['src'])).map((cycle) => cycle.join(' <-> ')), []);
  });
});
