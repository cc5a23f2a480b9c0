/** The smallest config that serves turns: one built-in simulator behind one route and one agent, as YAML, plus whatever `extra` adds. */

export function oneSimulatorConfigYaml(extra = ''): string {
  return `simulator: { instances: 1, ttftMs: 5, itlMs: 1, outputTokens: 5 }
pools:
  sim: { model: sim, instances: [{ url: "simulator://0" }] }
routes:
  demo: { pool: sim }
agents:
  helper: { route: demo }
intent: { defaultAgent: helper }
logging: { level: warn }
${extra}`;
}
