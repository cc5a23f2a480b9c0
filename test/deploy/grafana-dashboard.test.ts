import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { runCli, startCli, waitForExit } from '../support/cli.js';
import { parseExposition, type ExposedMetric } from './metrics-exposition.js';
import { expandGrafanaVariables, promqlUses, type PromqlUses } from './promql-uses.js';

// Compiled tests live in <outDir>/test/deploy/, and every outDir sits at the repository root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/switchboard.json'), 'utf8')) as Dashboard;
const rulesFile = parseYaml(readFileSync(join(root, 'deploy/prometheus/rules.yaml'), 'utf8')) as { groups: RuleGroup[] };

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}
interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}

/** Labels Prometheus adds to every scraped series (and Kubernetes service discovery commonly relabels in). */
const targetLabels = new Set(['job', 'instance', 'pod', 'namespace', 'service', 'container', 'endpoint']);
/**
 * Metrics the experiments part will add: the dashboard already has their panels. Absent, they
 * are listed as pending; present, they are checked like every other metric.
 */
const pendingPrefix = 'switchboard_experiment_';

/** The help text names the value as a word of its own (`rate_limited`, not a prefix of it). */
function helpNames(help: string, value: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`).test(help);
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

const expressions: { where: string; expr: string; uses: PromqlUses }[] = [
  ...allPanels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr }))),
  ...rulesFile.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
].map((entry) => ({ ...entry, uses: promqlUses(expandGrafanaVariables(entry.expr)) }));

describe('the PromQL reader the dashboard check rests on', () => {
  it('finds selectors, matchers and grouping labels, and reports syntax errors', () => {
    const uses = promqlUses('sum by (pool, le) (rate(a_bucket{code=~"5..", job="j"}[5m])) / ignoring(limit) b{limit="max"}');
    assert.deepEqual(uses.selectors.map((selector) => selector.metric), ['a_bucket', 'b']);
    assert.deepEqual(uses.selectors[0]!.matchers, [{ label: 'code', op: '=~', value: '5..' }, { label: 'job', op: '=', value: 'j' }]);
    assert.deepEqual(uses.groupings.map((grouping) => [grouping.labels, grouping.selectors.map((selector) => selector.metric)]), [
      [['limit'], ['a_bucket', 'b']],
      [['pool', 'le'], ['a_bucket']],
    ]);
    assert.equal(uses.errors.length, 0);
    assert.ok(promqlUses('sum(rate(a[5m]) /').errors.length > 0);
  });
});

describe('deploy/grafana/switchboard.json and deploy/prometheus/rules.yaml', () => {
  it('is an importable Grafana dashboard: unique panel ids, a Prometheus datasource variable, every query on it', () => {
    assert.equal(typeof dashboard.uid, 'string');
    assert.equal(dashboard.title, 'Switchboard');
    assert.ok(dashboard.schemaVersion >= 36);
    const datasource = dashboard.templating.list.find((variable) => variable.name === 'datasource');
    assert.deepEqual(datasource && { type: datasource.type, query: datasource.query }, { type: 'datasource', query: 'prometheus' });
    const panels = allPanels(dashboard.panels);
    assert.equal(new Set(panels.map((panel) => panel.id)).size, panels.length, 'panel ids are unique');
    for (const panel of panels) {
      assert.ok(panel.gridPos.x >= 0 && panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the 24-column grid`);
      if (panel.type === 'row') continue;
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' }, panel.title);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has queries`);
    }
    const titles = panels.map((panel) => panel.title.toLowerCase()).join('\n');
    for (const topic of ['requests by route and status', 'error ratio', 'time to first token', 'upstream call duration', 'in flight and queued', 'circuit breakers', 'tokens by tenant', 'cost by tenant', 'stage duration', 'admission rejections']) {
      assert.ok(titles.includes(topic), `a panel on ${topic}`);
    }
  });

  it('is a valid rules file: groups of alerts, each with expr, for, a severity and a summary and description', () => {
    assert.ok(rulesFile.groups.length > 0);
    const names = new Set<string>();
    for (const group of rulesFile.groups) {
      assert.match(group.name, /^\S+$/);
      assert.ok(group.rules.length > 0);
      for (const rule of group.rules) {
        assert.deepEqual(Object.keys(rule).filter((key) => !['alert', 'expr', 'for', 'labels', 'annotations'].includes(key)), [], `${rule.alert} has only known keys`);
        assert.match(rule.alert, /^[A-Z][A-Za-z0-9]+$/);
        assert.ok(!names.has(rule.alert), `${rule.alert} is unique`);
        names.add(rule.alert);
        assert.equal(typeof rule.expr, 'string');
        assert.match(rule.for, /^\d+[smh]$/);
        assert.ok(['critical', 'warning', 'info'].includes(rule.labels.severity!), `${rule.alert} severity`);
        assert.ok(rule.annotations.summary && rule.annotations.description, `${rule.alert} annotations`);
        // Every label an annotation prints must survive the expression's aggregation.
        const kept = new Set(promqlUses(rule.expr).groupings.flatMap((grouping) => grouping.labels));
        for (const [, label] of `${rule.annotations.summary} ${rule.annotations.description}`.matchAll(/\$labels\.([a-z_]+)/g)) assert.ok(kept.has(label!), `${rule.alert} prints $labels.${label}, which its expression keeps`);
      }
    }
    for (const alert of ['SwitchboardHighErrorRatio', 'SwitchboardTtftP95High', 'SwitchboardBreakerOpen', 'SwitchboardQueueSaturated', 'SwitchboardRateLimitRejections']) assert.ok(names.has(alert), alert);
  });

  it('parses every expression with Prometheus\' grammar', () => {
    assert.ok(expressions.length >= 20, `${expressions.length} expressions`);
    for (const { where, expr, uses } of expressions) assert.deepEqual(uses.errors, [], `${where}: ${expr}`);
  });

  describe('against the /metrics of a real server after traffic', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-dashboard-'));
    const configPath = join(dir, 'config.yaml');
    let exposed: Map<string, ExposedMetric>;

    before(async () => {
      // One instance that refuses connections (failures, retries, a breaker), a first pool that does too
      // (fallbacks), a tier limited to two requests a minute (429), and one slot with no queue (503
      // while a long stream holds it).
      writeFileSync(
        configPath,
        `simulator: { instances: 1, ttftMs: 5, itlMs: 20, outputTokens: 2000 }
pools:
  sim:
    model: sim
    balancer: round-robin
    instances: [{ url: "simulator://0" }, { url: "http://127.0.0.1:9" }]
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }
    prices: { inputPerMillionTokens: 1, outputPerMillionTokens: 2 }
  spare:
    model: sim
    instances: [{ url: "http://127.0.0.1:9" }]
    retry: { attempts: 1 }
routes:
  demo: { pool: spare, fallbacks: [sim] }
agents:
  helper: { route: demo }
intent: { defaultAgent: helper }
limits: { maxInFlight: 1, maxQueued: 0, tiers: { limited: { requestsPerMinute: 2 } } }
logging: { level: warn }
`,
      );
      const key = (tenant: string, tier?: string) => runCli(['keys', 'create', '--tenant', tenant, ...(tier ? ['--tier', tier] : []), '--config', configPath, '--data-dir', dir]).stdout.trim();
      const shop = key('shop');
      const limited = key('limited-tenant', 'limited');
      const { child, match } = await startCli(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1', '--data-dir', dir], /listening on (http:\/\/\S+)/, { timeoutMs: 30_000 });
      try {
        const url = match[1]!;
        const headers = (apiKey: string) => ({ authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' });
        const completion = (apiKey: string, stream: boolean, maxTokens = 5) =>
          fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: headers(apiKey), body: JSON.stringify({ model: 'demo', stream, max_tokens: maxTokens, messages: [{ role: 'user', content: 'hi' }] }) });
        const session = ((await (await fetch(`${url}/v1/sessions`, { method: 'POST', headers: headers(shop) })).json()) as { id: string }).id;
        for (const stream of [false, true]) {
          const turn = await fetch(`${url}/v1/sessions/${session}/messages`, { method: 'POST', headers: headers(shop), body: JSON.stringify({ content: 'hello', stream, max_tokens: 5 }) });
          assert.equal(turn.status, 200);
          await turn.text();
          for (let index = 0; index < 3; index++) {
            const answered = await completion(shop, stream);
            assert.equal(answered.status, 200);
            await answered.text();
          }
        }
        const statuses: number[] = [];
        for (let index = 0; index < 3; index++) {
          const answered = await completion(limited, false);
          statuses.push(answered.status);
          await answered.text();
        }
        assert.deepEqual(statuses, [200, 200, 429], 'the limited tier is refused its third request');
        // Holds the only slot with a long stream (2,000 tokens at 20 ms), so the next request is shed with 503.
        const holder = await completion(shop, true, 2_000);
        assert.equal(holder.status, 200);
        const shed = await completion(shop, false);
        assert.equal(shed.status, 503);
        await shed.text();
        await holder.body!.cancel();
        exposed = parseExposition(await (await fetch(`${url}/metrics`)).text());
      } finally {
        child.kill('SIGTERM');
        await waitForExit(child);
      }
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** The label as the server exposes it: Prometheus renames a metric's own `instance` to `exported_instance`. */
    const exposedLabel = (label: string) => (label === 'exported_instance' ? 'instance' : label);

    it('exposes every metric the dashboard and the alerts query, with every label they filter, group or match on', (test) => {
      const problems: string[] = [];
      const pending = new Set<string>();
      for (const { where, uses } of expressions) {
        for (const selector of uses.selectors) {
          const metric = exposed.get(selector.metric);
          if (!metric) {
            if (selector.metric.startsWith(pendingPrefix)) pending.add(selector.metric);
            else problems.push(`${where}: ${selector.metric} is not on /metrics`);
            continue;
          }
          for (const matcher of selector.matchers) {
            if (targetLabels.has(matcher.label)) continue;
            const values = metric.labels.get(exposedLabel(matcher.label));
            if (!values) {
              problems.push(`${where}: ${selector.metric} has no label ${matcher.label}`);
              continue;
            }
            if (matcher.op === '=' && !values.has(matcher.value) && !helpNames(metric.help, matcher.value)) problems.push(`${where}: no ${selector.metric}{${matcher.label}="${matcher.value}"} series, and its help does not name the value`);
            if (matcher.op === '=~' && ![...values].some((value) => new RegExp(`^(?:${matcher.value})$`).test(value))) problems.push(`${where}: no value of ${selector.metric}'s ${matcher.label} matches ${matcher.value} (seen: ${[...values].join(', ')})`);
          }
        }
        for (const grouping of uses.groupings) {
          for (const label of grouping.labels) {
            if (targetLabels.has(label)) continue;
            const carriers = grouping.selectors.filter((selector) => exposed.get(selector.metric)?.labels.has(exposedLabel(label)));
            if (carriers.length === 0 && !grouping.selectors.every((selector) => selector.metric.startsWith(pendingPrefix))) problems.push(`${where}: no metric of ${grouping.selectors.map((selector) => selector.metric).join(', ')} has the label ${label} it groups by`);
          }
        }
      }
      for (const variable of dashboard.templating.list) {
        const query = typeof variable.query === 'object' && variable.query !== null ? (variable.query as { query: string }).query : String(variable.query);
        const labelValues = /^label_values\((\w+),\s*(\w+)\)$/.exec(query);
        if (labelValues && !exposed.has(labelValues[1]!)) problems.push(`variable ${variable.name}: ${labelValues[1]} is not on /metrics`);
      }
      assert.deepEqual(problems, []);
      test.diagnostic(`pending (the experiments part adds them): ${[...pending].sort().join(', ') || 'none'}`);
      assert.deepEqual([...pending].sort(), [...pending].filter((name) => name.startsWith(pendingPrefix)).sort());
    });
  });
});
