/** What a benchmark run reports besides its numbers (machine, commit, command, date), and how it writes them: JSON and a marked section of the markdown. */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';

export interface RunContext {
  machine: { os: string; cpuModel: string; cpuCount: number; memoryGiB: number; node: string };
  commit: string;
  /** True when the work tree had uncommitted changes: the numbers belong to the commit plus them. */
  dirty: boolean;
  command: string;
  date: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAverageAtStart: number;
}

export function runContext(command: string): RunContext {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  return {
    machine: {
      os: `${osType()} ${release()}`,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      cpuCount: cpus().length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
    },
    commit: git('rev-parse', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    command,
    date: new Date().toISOString(),
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/**
 * Puts `body` between `start` and `end` in the markdown file, leaving everything else (other
 * benchmarks' sections) as it is; appends the section when the markers are not there yet.
 */
export function writeMarkdownSection(path: string, start: string, end: string, body: string): void {
  const section = `${start}\n${body.trim()}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  let next: string;
  if (from !== -1 && to > from) next = current.slice(0, from) + section + current.slice(to + end.length);
  else next = `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

/** A markdown table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Milliseconds for a table: one decimal under 10 ms, whole numbers above; seconds past 10 s. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (Math.abs(value) >= 10) return `${Math.round(value)} ms`;
  if (Math.abs(value) >= 1) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function signedMs(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value >= 0 ? `+${ms(value)}` : `−${ms(-value)}`;
}

export function mb(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : `${Math.round(value)} MB`;
}

export function round(value: number, decimals = 3): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** One target of the issue, checked against a measured value. */
export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
  /** How far off a missed target is, in words ("2.3× the limit", "+410 ms"). */
  by?: string;
}

/** `measured <= limit`, with the miss said as a ratio and a difference. */
export function atMost(name: string, measured: number, limit: number, unit: (value: number) => string, target = `≤ ${unit(limit)}`): TargetCheck {
  const met = measured <= limit;
  const check: TargetCheck = { name, target, measured: unit(measured), met };
  if (!met) check.by = `${unit(measured - limit)} over (${(measured / limit).toFixed(1)}× the limit)`;
  return check;
}

export function atLeast(name: string, measured: number, limit: number, unit: (value: number) => string, target = `≥ ${unit(limit)}`): TargetCheck {
  const met = measured >= limit;
  const check: TargetCheck = { name, target, measured: unit(measured), met };
  if (!met) check.by = `${unit(limit - measured)} short (${(measured / limit).toFixed(2)} of the goal)`;
  return check;
}

export function targetTable(checks: TargetCheck[]): string {
  return table(
    ['target', 'goal', 'measured', 'met?'],
    checks.map((check) => [check.name, check.target, check.measured, check.met ? 'met' : `**missed** by ${check.by ?? ''}`]),
  );
}
