/**
 * What a reload may change: the sections a generation is built from (pools, routes, agents, knowledge,
 * intent, sessions, experiments) apply at once; the sections the long-lived base was built from
 * (server, store, auth, logging, limits, redis, simulator) need a restart, so a reload that
 * changes one is refused, naming each, and the current config keeps serving.
 */

import { isDeepStrictEqual } from 'node:util';
import type { SwitchboardConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import type { ReloadReport } from '../server/server-host.js';

export const reloadableSections = ['pools', 'routes', 'agents', 'intent', 'sessions', 'experiments', 'experimentSync', 'knowledge'] as const;
export const restartOnlySections = ['server', 'store', 'auth', 'logging', 'limits', 'redis', 'simulator'] as const;

/** Where a runtime's config comes from, read again on every reload. */
export interface ConfigSource {
  /** A file path, or `built-in demo config`. */
  readonly name: string;
  /** Reads and validates the config; throws ConfigError naming every bad field. */
  load(): SwitchboardConfig;
}

/** The dotted paths under restart-only sections whose values differ. */
export function restartOnlyChanges(running: SwitchboardConfig, next: SwitchboardConfig): string[] {
  const changes: string[] = [];
  const walk = (path: string, left: unknown, right: unknown): void => {
    if (isDeepStrictEqual(left, right)) return;
    const bothObjects = typeof left === 'object' && left !== null && typeof right === 'object' && right !== null && !Array.isArray(left) && !Array.isArray(right);
    if (!bothObjects) {
      changes.push(path);
      return;
    }
    for (const key of new Set([...Object.keys(left as object), ...Object.keys(right as object)])) walk(`${path}.${key}`, (left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]);
  };
  for (const section of restartOnlySections) walk(section, running[section], next[section]);
  return changes;
}

export function reloadReport(outcome: ReloadReport['outcome'], fields: Partial<Omit<ReloadReport, 'outcome'>> & Pick<ReloadReport, 'generation' | 'source' | 'message'>): ReloadReport {
  return { outcome, problems: [], poolsAdded: [], poolsRemoved: [], ...fields };
}

/** Reads the source: the config, or the report of why it cannot be used. */
export function readSource(source: ConfigSource, generation: number): { config: SwitchboardConfig } | { report: ReloadReport } {
  try {
    return { config: source.load() };
  } catch (error) {
    const problems = error instanceof Error && error.name === 'ConfigError' ? (error as ConfigError).problems : [(error as Error).message];
    return { report: reloadReport('invalid', { generation, source: source.name, message: `the config at ${source.name} is not valid; the current one keeps serving`, problems }) };
  }
}

export function poolChanges(previous: SwitchboardConfig, next: SwitchboardConfig): { poolsAdded: string[]; poolsRemoved: string[] } {
  return {
    poolsAdded: Object.keys(next.pools).filter((pool) => !Object.hasOwn(previous.pools, pool)),
    poolsRemoved: Object.keys(previous.pools).filter((pool) => !Object.hasOwn(next.pools, pool)),
  };
}
