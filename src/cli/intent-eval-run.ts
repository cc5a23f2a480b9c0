/**
 * `switchboard intent eval`: builds the config's runtime (its simulators too), records every tier's verdict on
 * every dataset message, reports the cascade under the configured gates and, with `--fit`, under fitted ones.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createRuntime } from '../app/runtime.js';
import type { SwitchboardConfig } from '../config/config-schema.js';
import { parseIntentDataset } from '../intent/intent-dataset.js';
import { evaluateRecorded, recordDataset, type IntentEvalReport } from '../intent/intent-eval.js';
import { fitIntentGates, type FitResult } from '../intent/fit-intent-gates.js';
import type { CascadeGates } from '../intent/tiered-intent-classifier.js';
import { formatNumber, formatTable } from '../planner/text-table.js';

export interface IntentEvalOptions {
  config: SwitchboardConfig;
  datasetPath: string;
  fit: boolean;
  /** Where `--fit` writes the fitted gates (JSON), when given. */
  writePath?: string;
  /** SQLite store directory when the config names none; a temporary one by default. */
  dataDir?: string;
  concurrency: number;
}

export interface IntentEvalOutcome {
  report: IntentEvalReport;
  fitted?: { fit: FitResult; report: IntentEvalReport };
}

export async function runIntentEval(options: IntentEvalOptions): Promise<IntentEvalOutcome> {
  const scratch = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'switchboard-intent-eval-')) : undefined;
  const runtime = await createRuntime(options.config, { dataDir: options.dataDir ?? scratch, logger: pino({ level: 'silent' }), defaultMetrics: false });
  try {
    const cascade = runtime.current.intent;
    const dataset = parseIntentDataset(readFileSync(options.datasetPath, 'utf8'), new Map(Object.entries(cascade.agentIntents)), options.datasetPath);
    const recorded = await recordDataset(cascade, dataset, options.concurrency);
    const report = evaluateRecorded(cascade, recorded);
    if (!options.fit) return { report };
    const fit = fitIntentGates(cascade, recorded);
    if (options.writePath) writeFileSync(options.writePath, `${JSON.stringify({ intent: { tiers: gatesAsConfig(fit.gates) } }, null, 2)}\n`);
    return { report, fitted: { fit, report: evaluateRecorded(cascade, recorded, fit.gates) } };
  } finally {
    await runtime.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The fitted gates as the `intent.tiers` section they go into (`followUp` is the config's name of `follow-up`). */
export function gatesAsConfig(gates: CascadeGates): Record<string, { threshold: number; margin: number }> {
  return Object.fromEntries(Object.entries(gates).map(([tier, gate]) => [tier === 'follow-up' ? 'followUp' : tier, { threshold: gate.threshold, margin: gate.margin }]));
}

const percent = (value: number): string => `${formatNumber(value * 100, 1)}%`;

export function formatIntentReport(report: IntentEvalReport, title: string): string {
  const lines = [
    `${title}: ${report.messages} messages — accuracy ${percent(report.accuracy)}, macro-F1 ${formatNumber(report.macroF1, 3)}, ` +
      `out-of-scope precision ${percent(report.outOfScope.precision)} recall ${percent(report.outOfScope.recall)}, asked back ${percent(report.askShare)}, default ${percent(report.defaultShare)}`,
    '',
    formatTable(['intent', 'precision', 'recall', 'F1', 'messages'], report.classes.map((entry) => [entry.label, percent(entry.precision), percent(entry.recall), formatNumber(entry.f1, 3), String(entry.support)])),
    '',
    formatTable(
      ['tier', 'threshold', 'margin', 'reached', 'decided', 'p50 ms', 'p99 ms'],
      report.tiers.map((tier) => [tier.tier, formatNumber(report.gates[tier.tier]?.threshold ?? Number.NaN, 2), formatNumber(report.gates[tier.tier]?.margin ?? Number.NaN, 2), percent(tier.reached), percent(tier.decided), formatNumber(tier.p50Ms, 3), formatNumber(tier.p99Ms, 3)]),
    ),
    '',
  ];
  const predicted = Object.keys(Object.values(report.confusion)[0] ?? {});
  lines.push(formatTable(['true \\ predicted', ...predicted], Object.entries(report.confusion).map(([truth, row]) => [truth, ...predicted.map((label) => String(row[label] ?? 0))])));
  return lines.join('\n');
}
