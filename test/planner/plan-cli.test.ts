import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from '../support/cli.js';


function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('plan gpu --json gives the plan fields as numbers', async () => {
  const { code, stdout, stderr } = await cli(['plan', 'gpu', '--model', 'llama-3.1-8b', '--quant', 'bf16', '--context', '4096', '--concurrency', '64', '--gpu', 'h100-sxm', '--json']);
  assert.equal(code, 0, stderr);
  const plan = JSON.parse(stdout) as Record<string, unknown>;
  for (const field of ['weightsGiB', 'kvCacheGiB', 'totalGiB', 'gpusPerReplica', 'replicas', 'maxConcurrencyPerReplica', 'decodeTokensPerSecond']) {
    assert.equal(typeof plan[field], 'number', field);
  }
  assert.equal(plan.kvCacheGiB, 32);
  assert.equal(plan.gpusPerReplica, 1);
});

test('plan gpu without --gpu compares the catalog; with a config.json it plans that model', async () => {
  const all = await cli(['plan', 'gpu', '--model', 'qwen3-235b-a22b', '--context', '32768', '--concurrency', '8', '--json']);
  assert.equal(all.code, 0, all.stderr);
  const parsed = JSON.parse(all.stdout) as { alternatives: { gpu: { id: string }; fits: boolean }[]; totalGpus: number };
  assert.ok(parsed.alternatives.length >= 10);
  assert.ok(parsed.alternatives.some((entry) => entry.gpu.id === 'h100-sxm' && entry.fits));
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  try {
    const file = join(directory, 'config.json');
    writeFileSync(file, JSON.stringify({ model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_attention_heads: 32, num_hidden_layers: 16, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 131072, tie_word_embeddings: true }));
    const fromConfig = await cli(['plan', 'gpu', '--model', file, '--gpu', 'l4', '--json']);
    assert.equal(fromConfig.code, 0, fromConfig.stderr);
    const small = JSON.parse(fromConfig.stdout) as { model: { parametersTotal: number }; fits: boolean };
    assert.ok(small.fits);
    assert.ok(Math.abs(small.model.parametersTotal - 1.236e9) / 1.236e9 < 0.01);
    const tooBig = await cli(['plan', 'gpu', '--model', 'qwen3-235b-a22b', '--gpu', 'l4', '--json']);
    assert.equal(tooBig.code, 1);
    assert.equal((JSON.parse(tooBig.stdout) as { fits: boolean }).fits, false);
    const human = await cli(['plan', 'gpu', '--model', 'llama-3.1-8b', '--gpu', 'h100-sxm']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /Memory\s+per GPU\s+whole plan/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('plan gpu: bad flags exit 2 with a message', async () => {
  for (const args of [
    ['plan', 'gpu'],
    ['plan', 'gpu', '--model', 'gpt-17'],
    ['plan', 'gpu', '--model', 'llama-3.1-8b', '--quant', 'int3'],
    ['plan', 'gpu', '--model', 'llama-3.1-8b', '--gpu', 'tpu'],
    ['plan', 'gpu', '--model', 'llama-3.1-8b', '--context', 'lots'],
    ['plan', 'gpu', '--model', 'llama-3.1-8b', '--wat'],
  ]) {
    const { code, stderr, stdout } = await cli(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, /^switchboard .+/);
    assert.equal(stdout, '');
  }
  const missingFile = await cli(['plan', 'gpu', '--model', join(tmpdir(), 'switchboard-none', 'config.json')]);
  assert.equal(missingFile.code, 1);
  assert.match(missingFile.stderr, /cannot read model config/);
});

test('plan deploy --json with no flags plans the brief scenario, and --svg draws it', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  try {
    const svgFile = join(directory, 'plan.svg');
    const { code, stdout, stderr } = await cli(['plan', 'deploy', '--json', '--svg', svgFile]);
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout) as { lambda: Record<string, unknown>; kubernetes: Record<string, unknown>; recommendation: unknown; scenario: { requests: number } };
    for (const side of [plan.lambda, plan.kubernetes]) {
      assert.equal(typeof side.p99Ms, 'number');
      assert.equal(typeof side.monthlyCostUsd, 'number');
    }
    assert.equal(typeof plan.recommendation, 'string');
    assert.equal(plan.scenario.requests, 5000);
    assert.ok(existsSync(svgFile));
    assert.match(readFileSync(svgFile, 'utf8'), /<svg[\s\S]*polyline/);
    const human = await cli(['plan', 'deploy', '--users', '1000']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /latency p99/);
    assert.match(human.stdout, /Recommendation:/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('plan deploy: bad flags exit 2 with a message; an unreadable load test exits 1', async () => {
  for (const args of [
    ['plan', 'deploy', '--users', '0'],
    ['plan', 'deploy', '--service-time', 'whenever'],
    ['plan', 'deploy', '--profile', 'bursty'],
    ['plan', 'deploy', '--nonsense'],
    ['plan', 'deploy', '--min-replicas', '9', '--max-replicas', '3'],
  ]) {
    const { code, stderr } = await cli(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, /^switchboard plan deploy/);
  }
  const missing = await cli(['plan', 'deploy', '--from-loadtest', join(tmpdir(), 'switchboard-none.json')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read load-test result/);
});
