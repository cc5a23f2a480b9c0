/** `config check` and the loader report every problem in one pass, with the field, and a suggestion where one is close. */

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import { runCli } from '../support/cli.js';

const base = {
  pools: { sim: { model: 'sim', instances: [{ url: 'http://127.0.0.1:9' }] }, big: { model: 'big', instances: [{ url: 'http://127.0.0.1:10' }] } },
  routes: { demo: { pool: 'sim' } },
  agents: { concierge: { route: 'demo', intent: 'help_desk' }, checkout: { route: 'demo' } },
  intent: { defaultAgent: 'concierge' },
};

function problemsOf(input: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig({ ...base, ...input }, '(test)', env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  return [];
}

function hasProblem(problems: string[], path: string, pattern: RegExp): void {
  assert.ok(problems.some((problem) => problem.startsWith(`${path}: `) && pattern.test(problem)), `no problem at ${path} matching ${pattern} in:\n${problems.join('\n')}`);
}

describe('config check finds everything at once', () => {
  it('reports schema problems and cross-references together', () => {
    const problems = problemsOf({
      server: { port: 'eighty' },
      pools: { ...base.pools, big: { model: 'big', instances: [{ url: 'http://127.0.0.1:10' }], balancer: 'fastest' } },
      routes: { demo: { pool: 'sim', fallbacks: ['big', 'missing'] } },
      agents: { concierge: { route: 'demo', intent: 'help_desk' }, checkout: { route: 'nowhere' } },
    });
    hasProblem(problems, 'server.port', /number/);
    hasProblem(problems, 'pools.big.balancer', /./);
    hasProblem(problems, 'routes.demo.fallbacks', /unknown pool "missing"/);
    hasProblem(problems, 'agents.checkout.route', /unknown route "nowhere"/);
    // A pool with a bad field still exists: naming it is no second problem.
    assert.ok(!problems.some((problem) => problem.includes('unknown pool "big"')), problems.join('\n'));
  });

  it('refuses rules that name agents, intents, tiers or tenants that do not exist', () => {
    const rules = [
      { name: 'vip', when: { agents: ['concierg'] }, pool: 'big' },
      { name: 'faq', when: { intents: ['help_dsk'] }, pool: 'big' },
      { name: 'gold', when: { tiers: ['gold'] }, pool: 'big' },
      { name: 'acme', when: { tenants: ['acme'] }, pool: 'big' },
    ];
    const problems = problemsOf({ routes: { demo: { pool: 'sim', rules } } });
    hasProblem(problems, 'routes.demo.rules.0.when.agents.0', /unknown agent "concierg".*did you mean "concierge"/);
    hasProblem(problems, 'routes.demo.rules.1.when.intents.0', /unknown intent "help_dsk".*did you mean "help_desk"/);
    hasProblem(problems, 'routes.demo.rules.2.when.tiers.0', /unknown tier "gold"/);
    hasProblem(problems, 'routes.demo.rules.3.when.tenants.0', /unknown tenant "acme"/);
    // Declared, the same rules are valid: an agent's intent defaults to its name, tiers come from limits.tiers, tenants from tenants.
    const fixed = [{ ...rules[0]!, when: { agents: ['concierge'] } }, { ...rules[1]!, when: { intents: ['help_desk', 'checkout'] } }, rules[2]!, rules[3]!];
    assert.deepEqual(problemsOf({ routes: { demo: { pool: 'sim', rules: fixed } }, limits: { tiers: { gold: { priority: 1 } } }, tenants: ['acme'] }), []);
    assert.deepEqual(problemsOf({ routes: { demo: { pool: 'sim', rules: [{ name: 'std', when: { tiers: ['standard'] }, pool: 'big' }] } } }), [], 'the default tier is always known');
  });

  it('refuses an agent named "auto": the model agent:auto lets intent detection pick', () => {
    const problems = problemsOf({ agents: { ...base.agents, auto: { route: 'demo' } } });
    hasProblem(problems, 'agents.auto', /reserved.*agent:auto/);
  });

  it('refuses instance URLs that do not parse, naming the field', () => {
    const problems = problemsOf({ pools: { sim: { model: 'sim', instances: [{ url: 'http://127.0.0.1:9' }, { url: 'http://bad host:80' }, { url: 'http://127.0.0.1:9', metricsUrl: 'http://:x' }] }, big: base.pools.big } });
    hasProblem(problems, 'pools.sim.instances.1.url', /not a valid URL/);
    hasProblem(problems, 'pools.sim.instances.2.metricsUrl', /not a valid URL/);
  });

  it('coerces ${NAME} values where the field is a number or a boolean', () => {
    const config = parseConfig({ ...base, server: { port: '${PORT}', drainTimeoutMs: '${DRAIN:-1500}' }, telemetry: { tracing: { enabled: '${TRACING}', sampleRatio: '${RATIO}' } } }, '(test)', { PORT: '9090', TRACING: 'false', RATIO: '0.25' });
    assert.equal(config.server.port, 9090);
    assert.equal(config.server.drainTimeoutMs, 1500);
    assert.equal(config.telemetry.tracing.enabled, false);
    assert.equal(config.telemetry.tracing.sampleRatio, 0.25);
    hasProblem(problemsOf({ server: { port: '${PORT}' } }, { PORT: 'eighty' }), 'server.port', /number/);
    // A literal string in the file is not a number: only substituted values are coerced.
    hasProblem(problemsOf({ server: { port: '9090' } }), 'server.port', /number/);
  });

  it('suggests the closest valid key or value', () => {
    const problems = problemsOf({ server: { prot: 8080 }, pools: { sim: { ...base.pools.sim, balancer: 'least-outstandin' }, big: base.pools.big }, routes: { demo: { pool: 'sim', fallback: ['big'] } } });
    hasProblem(problems, 'server', /"prot".*did you mean "port"/);
    hasProblem(problems, 'routes.demo', /"fallback".*did you mean "fallbacks"/);
    hasProblem(problems, 'pools.sim.balancer', /did you mean "least-outstanding"/);
    hasProblem(problemsOf({ routes: { demo: { pool: 'smi' } } }), 'routes.demo.pool', /unknown pool "smi".*did you mean "sim"/);
  });

  it('prints every problem from the CLI and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-check-'));
    const file = join(dir, 'switchboard.yaml');
    writeFileSync(
      file,
      [
        'server: { port: "${PORT}", hots: 0.0.0.0 }',
        'pools: { sim: { model: sim, instances: [{ url: "http://bad host" }] } }',
        'routes: { demo: { pool: sim, rules: [{ name: vip, when: { agents: [concierg] }, pool: sim }] } }',
        'agents: { concierge: { route: demo } }',
        'intent: { defaultAgent: concierge }',
        '',
      ].join('\n'),
    );
    const result = runCli(['config', 'check', file], { env: { PORT: '8081' } });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /server: .*"hots".*did you mean "host"/);
    assert.match(result.stderr, /pools\.sim\.instances\.0\.url: .*not a valid URL/);
    assert.match(result.stderr, /routes\.demo\.rules\.0\.when\.agents\.0: unknown agent "concierg"/);
    assert.doesNotMatch(result.stderr, /server\.port/);
  });
});
