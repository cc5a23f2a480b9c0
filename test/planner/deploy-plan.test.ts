import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployParameters, deployParameterKeys, deployParameterSpecs, ParameterError } from '../../src/planner/deploy-simulation/deploy-parameters.js';
import { planDeployment } from '../../src/planner/deploy-simulation/deploy-plan.js';
import { deployPlanJson, deployPlanText } from '../../src/planner/deploy-simulation/deploy-plan-report.js';
import { renderDeployChart } from '../../src/planner/deploy-simulation/deploy-chart-svg.js';
import { runPlanDeploy } from '../../src/planner/plan-deploy-run.js';
import { planDeployParameterFlags } from '../../src/cli/commands/plan-deploy-command.js';

test("the default plan is the brief's spike: pods answer sooner and cost less than functions", () => {
  const started = performance.now();
  const plan = planDeployment(DeployParameters.resolve({}));
  const elapsedMs = performance.now() - started;
  // Well under 5 s on an idle machine; generous here because the machine is shared.
  assert.ok(elapsedMs < 15_000, `took ${elapsedMs.toFixed(0)} ms`);
  assert.equal(plan.scenario.requests, 5000);
  assert.equal(plan.scenario.profile.kind, 'spike');
  const json = deployPlanJson(plan) as { lambda: Record<string, number>; kubernetes: Record<string, number>; recommendation: unknown; recommendedPlatform: unknown };
  for (const side of [json.lambda, json.kubernetes]) {
    for (const field of ['p50Ms', 'p95Ms', 'p99Ms', 'monthlyCostUsd', 'coldStartShare', 'throttledShare', 'peakInstances']) assert.equal(typeof side[field], 'number', field);
  }
  assert.ok(json.lambda.p99Ms! > json.kubernetes.p99Ms!);
  assert.ok(json.lambda.monthlyCostUsd! > json.kubernetes.monthlyCostUsd!);
  assert.ok(json.lambda.coldStartShare! > 0 && json.lambda.throttledShare! > 0);
  assert.equal(json.recommendedPlatform, 'kubernetes');
  assert.equal(typeof json.recommendation, 'string');
  assert.match(String(json.recommendation), /rule of thumb/);
  // The spike's own invocations cost cents; provisioning for it costs tens of thousands a month.
  assert.ok(plan.lambda.eventCost.totalUsd < 1);
  assert.ok(plan.whatIf.lambdaProvisioned!.monthly.provisionedCapacityUsd > 10_000);
  assert.ok(plan.whatIf.kubernetesPreScaled!.run.latency.p99 < plan.kubernetes.run.latency.p99);
  assert.match(deployPlanText(plan, false), /Lambda \+ API Gateway/);
});

test('every parameter states its provenance and source; none is left "auto"', () => {
  const plan = planDeployment(DeployParameters.resolve({ users: '500' }));
  for (const parameter of plan.parameters.list()) {
    assert.ok(['published', 'assumed', 'measured', 'flag', 'derived'].includes(parameter.provenance), parameter.key);
    assert.ok(parameter.source.length > 0, parameter.key);
    assert.notEqual(parameter.text, 'auto', parameter.key);
  }
  assert.equal(plan.parameters.get('users').provenance, 'flag');
  assert.equal(plan.parameters.get('lambdaScalingRate').provenance, 'published');
  assert.equal(plan.parameters.get('podCapacity').provenance, 'assumed');
});

test('the CLI lists exactly the planner parameters as flags', () => {
  assert.deepEqual([...planDeployParameterFlags].sort(), deployParameterKeys.map((key) => deployParameterSpecs[key].flag).sort());
});

test('deterministic under a seed', () => {
  const once = JSON.stringify(deployPlanJson(planDeployment(DeployParameters.resolve({ seed: '7', users: '2000' }))));
  const again = JSON.stringify(deployPlanJson(planDeployment(DeployParameters.resolve({ seed: '7', users: '2000' }))));
  const other = JSON.stringify(deployPlanJson(planDeployment(DeployParameters.resolve({ seed: '8', users: '2000' }))));
  assert.equal(once, again);
  assert.notEqual(once, other);
});

test('sparse short turns favour functions', () => {
  const plan = planDeployment(DeployParameters.resolve({ profile: 'steady', rate: '0.01', duration: '6h', serviceTime: '1s-2s', lambdaInitTime: '200ms' }));
  assert.equal(plan.recommendation.platform, 'lambda');
  assert.ok(plan.lambda.monthly.totalUsd < plan.kubernetes.monthly.totalUsd);
});

test('bad parameter values are ParameterErrors naming the flag', () => {
  assert.throws(() => DeployParameters.resolve({ users: '-3' }), (error: unknown) => error instanceof ParameterError && /--users/.test(error.message));
  assert.throws(() => DeployParameters.resolve({ serviceTime: 'soon' }), /--service-time/);
  assert.throws(() => DeployParameters.resolve({ profile: 'bursty' }), /--profile: must be one of/);
  assert.throws(() => planDeployment(DeployParameters.resolve({ minReplicas: '5', maxReplicas: '3' })), /--min-replicas/);
  assert.throws(() => planDeployment(DeployParameters.resolve({ profile: 'trace' })), /--trace FILE/);
});

test('calibration from a load-test result: per-pod capacity and turn latency become measured parameters', () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-calibrate-'));
  try {
    const file = join(directory, 'loadtest.json');
    writeFileSync(file, JSON.stringify({ concurrency: 400, peakInFlight: 400, throughputRps: 80, errors: 0, latencyMs: { e2e: { p50: 5000, p90: 6000, p99: 6500, max: 7000 }, ttft: { p50: 200, p90: 300, p99: 400, max: 500 } } }));
    let output = '';
    const code = runPlanDeploy({ parameterFlags: { users: '2000' }, fromLoadtest: file, svgFile: undefined, json: true, showParameters: false }, (text) => (output += text));
    assert.equal(code, 0);
    const json = JSON.parse(output) as { kubernetes: { podCapacity: number }; parameters: { name: string; provenance: string; value: string }[]; calibration: { podCapacity: number } };
    assert.equal(json.kubernetes.podCapacity, 400);
    assert.equal(json.calibration.podCapacity, 400);
    const capacity = json.parameters.find((parameter) => parameter.name === 'podCapacity')!;
    assert.equal(capacity.provenance, 'measured');
    const service = json.parameters.find((parameter) => parameter.name === 'serviceTime')!;
    assert.equal(service.provenance, 'measured');
    assert.equal(service.value, 'lognormal:5000ms,6500ms');
    // A flag still wins over the measurement.
    output = '';
    runPlanDeploy({ parameterFlags: { users: '2000', podCapacity: '900' }, fromLoadtest: file, svgFile: undefined, json: true, showParameters: false }, (text) => (output += text));
    assert.equal((JSON.parse(output) as { kubernetes: { podCapacity: number } }).kubernetes.podCapacity, 900);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('the chart draws latency and instances over time for both platforms', () => {
  const svg = renderDeployChart(planDeployment(DeployParameters.resolve({ users: '1500' })));
  assert.match(svg, /^<svg /);
  assert.ok((svg.match(/<polyline/g) ?? []).length >= 6);
  assert.match(svg, /Lambda execution environments/);
  assert.match(svg, /Kubernetes pods and nodes/);
});
