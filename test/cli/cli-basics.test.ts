import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

describe('the switchboard CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints help for every command and exits 0', () => {
    const overview = runCli(['--help']);
    assert.equal(overview.code, 0);
    for (const command of ['serve', 'mock-llm', 'keys create', 'keys list', 'keys revoke', 'config check']) {
      assert.match(overview.stdout, new RegExp(`\\b${command}\\b`), `overview lacks ${command}`);
      const help = runCli([...command.split(' '), '--help']);
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, /^Usage: switchboard /, command);
    }
  });

  it('answers wrong flags and unknown commands with one line and exit code 2', () => {
    for (const args of [['serve', '--bogus'], ['serve', '--port', 'eighty'], ['serve', '--port', '70000'], ['keys', 'create'], ['frobnicate'], ['config', 'check'], ['keys', 'create', '--tenant', 't', '--role', 'king']]) {
      const result = runCli([...args, '--data-dir', dataDir]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '');
    }
  });

  it('creates, lists and revokes keys, printing only the key on create', () => {
    const created = runCli(['keys', 'create', '--tenant', 'shop', '--data-dir', dataDir]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^sb-[A-Za-z0-9_-]{32}\n$/);
    const listed = runCli(['keys', 'list', '--json', '--data-dir', dataDir]);
    const records = JSON.parse(listed.stdout) as { id: string; tenant: string; revokedAt?: number }[];
    const record = records.find((entry) => entry.tenant === 'shop')!;
    assert.ok(record);
    assert.doesNotMatch(listed.stdout, new RegExp(created.stdout.trim()));
    const table = runCli(['keys', 'list', '--data-dir', dataDir]);
    assert.match(table.stdout, new RegExp(`${record.id}\\s+shop\\s+user\\s+standard\\s+\\S+\\s+active`));
    const revoked = runCli(['keys', 'revoke', record.id, '--data-dir', dataDir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(runCli(['keys', 'list', '--data-dir', dataDir]).stdout, new RegExp(`${record.id}.*revoked`));
    assert.equal(runCli(['keys', 'revoke', 'key_missing', '--data-dir', dataDir]).code, 1);
  });

  it('creates keys with an expiry and a monthly budget, shows them in the list, and refuses bad values with one line', () => {
    const before = Date.now();
    const created = runCli(['keys', 'create', '--tenant', 'budgeted', '--expires-in', '30d', '--tokens-per-month', '50000', '--usd-per-month', '12.5', '--data-dir', dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const records = JSON.parse(runCli(['keys', 'list', '--json', '--tenant', 'budgeted', '--data-dir', dataDir]).stdout) as { id: string; expiresAt: number; budget: { tokensPerMonth: number; usdPerMonth: number } }[];
    assert.equal(records.length, 1);
    const thirtyDays = 30 * 86_400_000;
    assert.ok(records[0]!.expiresAt >= before + thirtyDays && records[0]!.expiresAt <= Date.now() + thirtyDays, String(records[0]!.expiresAt));
    assert.deepEqual(records[0]!.budget, { tokensPerMonth: 50_000, usdPerMonth: 12.5 });
    assert.match(runCli(['keys', 'list', '--tenant', 'budgeted', '--data-dir', dataDir]).stdout, /active\s+\d{4}-\d\d-\d\dT\S+\s+50000 tokens\/mo, \$12\.5\/mo/);
    for (const flags of [['--expires-in', '30 days'], ['--expires-in', '0d'], ['--tokens-per-month', '1.5'], ['--usd-per-month', '-3'], ['--usd-per-month', 'lots']]) {
      const refused = runCli(['keys', 'create', '--tenant', 'budgeted', ...flags, '--data-dir', dataDir]);
      assert.equal(refused.code, 2, `${flags.join(' ')}: ${refused.stderr}`);
      assert.match(refused.stderr, new RegExp(flags[0]!));
      assert.equal(refused.stderr.trim().split('\n').length, 1);
    }
    assert.equal((JSON.parse(runCli(['keys', 'list', '--json', '--tenant', 'budgeted', '--data-dir', dataDir]).stdout) as unknown[]).length, 1, 'a refused create wrote nothing');
  });

  it('checks configs: valid, invalid naming the field path, unreadable', () => {
    const good = join(dataDir, 'good.yaml');
    writeFileSync(good, 'pools:\n  p: { model: m, instances: [{ url: "http://127.0.0.1:9" }], apiKey: "${TEST_KEY:-none}" }\nroutes:\n  r: { pool: p }\nagents:\n  a: { route: r }\nintent: { defaultAgent: a }\n');
    const valid = runCli(['config', 'check', good]);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /valid — 1 pool\(s\), 1 route\(s\), 1 agent\(s\)/);
    const bad = join(dataDir, 'bad.yaml');
    writeFileSync(bad, 'pools:\n  p: { model: m, instances: [{ url: "ftp://x", weight: -1 }] }\nroutes:\n  r: { pool: q }\nagents:\n  a: { route: r, patterns: ["("] }\nintent: { defaultAgent: b }\n');
    const invalid = runCli(['config', 'check', bad]);
    assert.equal(invalid.code, 1);
    for (const path of ['pools.p.instances.0.url', 'pools.p.instances.0.weight', 'routes.r.pool', 'agents.a.patterns.0', 'intent.defaultAgent']) {
      assert.match(invalid.stderr, new RegExp(path.replaceAll('.', '\\.')), `missing ${path} in:\n${invalid.stderr}`);
    }
    const missingEnv = join(dataDir, 'env.yaml');
    writeFileSync(missingEnv, 'pools:\n  p: { model: m, instances: [{ url: "http://x" }], apiKey: "${SWITCHBOARD_TEST_UNSET_VAR}" }\nroutes: { r: { pool: p } }\nagents: { a: { route: r } }\nintent: { defaultAgent: a }\n');
    const unset = runCli(['config', 'check', missingEnv]);
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /pools\.p\.apiKey: environment variable SWITCHBOARD_TEST_UNSET_VAR is not set/);
    assert.equal(runCli(['config', 'check', join(dataDir, 'absent.yaml')]).code, 1);
  });
});
