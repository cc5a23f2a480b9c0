/** `switchboard intent eval`: accuracy, macro-F1, per-intent precision and recall, confusion, tier latency and shares on a labelled dataset; `--fit` searches the gates. */

import { stringFlag, intFlag, UsageError, type Command } from '../command.js';

export const intentEvalCommand: Command = {
  path: ['intent', 'eval'],
  summary: 'Measure the intent cascade on a labelled dataset (and fit its thresholds)',
  usage: `Usage: switchboard intent eval --dataset FILE.jsonl [--config FILE] [--json] [--fit [--write FILE]]

Runs every intent tier of the config on every line of the dataset ({"text", "intent"} per line; intent is
an agent, an agent's intent, or "none" for out of scope) and reports accuracy, macro-F1, per-intent
precision and recall, out-of-scope precision and recall, a confusion table, each tier's latency (p50, p99)
and the share of messages that reached and were decided by each tier. A clarifying question counts as a miss.
Without --config (or SWITCHBOARD_CONFIG) it runs the demo with the whole cascade on its simulators.

Options:
  --dataset FILE     the labelled messages (JSONL)
  --config FILE      the config whose agents and intent tiers are measured
  --json             one JSON object instead of tables
  --fit              also search each tier's threshold and margin, and report the cascade under them
  --write FILE       with --fit: write the fitted gates as an intent.tiers config section (JSON)
  --data-dir DIR     SQLite store directory when the config names no store (default: a temporary one)
  --concurrency N    messages classified at once (default 16)
  -h, --help         show this help`,
  options: {
    dataset: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
    fit: { type: 'boolean' },
    write: { type: 'string' },
    'data-dir': { type: 'string' },
    concurrency: { type: 'string' },
  },
  async run({ values }) {
    const datasetPath = stringFlag(values, 'dataset');
    if (!datasetPath) throw new UsageError('intent eval: --dataset FILE is required');
    const writePath = stringFlag(values, 'write');
    if (writePath && values.fit !== true) throw new UsageError('intent eval: --write needs --fit');
    const concurrency = intFlag(values, 'concurrency', 16, 1, 1024);
    const [{ runIntentEval, formatIntentReport, gatesAsConfig }, { loadConfigFile, parseConfig }, { demoCascadeConfig }] = await Promise.all([
      import('../intent-eval-run.js'),
      import('../../config/load-config.js'),
      import('../../config/demo-config.js'),
    ]);
    const configPath = stringFlag(values, 'config') ?? process.env.SWITCHBOARD_CONFIG;
    const config = configPath ? loadConfigFile(configPath) : parseConfig({ ...demoCascadeConfig, logging: { level: 'silent' } }, 'built-in demo cascade config');
    let outcome;
    try {
      outcome = await runIntentEval({ config, datasetPath, fit: values.fit === true, writePath, dataDir: stringFlag(values, 'data-dir'), concurrency });
    } catch (error) {
      // A bad dataset line is the user's to fix: one clear message, exit 1.
      if (error instanceof Error && /^.+:\d+: |: no messages$/.test(error.message)) {
        process.stderr.write(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
    if (values.json === true) {
      const fitted = outcome.fitted ? { gates: gatesAsConfig(outcome.fitted.fit.gates), report: outcome.fitted.report } : undefined;
      process.stdout.write(`${JSON.stringify({ report: outcome.report, fitted })}\n`);
      return 0;
    }
    process.stdout.write(`${formatIntentReport(outcome.report, 'configured gates')}\n`);
    if (outcome.fitted) {
      process.stdout.write(`\n${formatIntentReport(outcome.fitted.report, 'fitted gates')}\n\nfitted intent.tiers: ${JSON.stringify(gatesAsConfig(outcome.fitted.fit.gates))}\n`);
      if (writePath) process.stdout.write(`written to ${writePath}\n`);
    }
    return 0;
  },
};
