/** Non-streamed load from wrk (Debian's package): a fixed POST body at a fixed connection count, its requests and latency read from wrk's own report. */

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerSecond: number;
  /** Non-2xx/3xx answers and socket errors together. */
  errors: number;
  latencyMs: { p50: number; p99: number };
}

export function findWrk(): string | undefined {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (error) {
    // wrk --version exits 1 after printing its banner.
    return (error as { status?: number }).status === 1 ? 'wrk' : undefined;
  }
}

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Parses `wrk --latency` output: totals, socket errors, non-2xx/3xx, and the latency percentiles. */
export function parseWrkOutput(output: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(ms|s|m)/.exec(output);
  if (!total) throw new Error(`wrk printed no totals:\n${output}`);
  const unit = { ms: 0.001, s: 1, m: 60 }[total[3] as 'ms' | 's' | 'm'];
  const durationS = Number(total[2]) * unit;
  const toMs = (value: string, suffix: string): number => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[suffix as 'us' | 'ms' | 's' | 'm'] ?? Number.NaN);
  const percentile = (label: string): number => {
    const match = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    return match ? toMs(match[1]!, match[2]!) : Number.NaN;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = (socketErrors ? socketErrors.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  const requests = Number(total[1]);
  return { requests, durationS, requestsPerSecond: requests / durationS, errors, latencyMs: { p50: percentile('50'), p99: percentile('99') } };
}

export async function runWrk(options: { url: string; body: string; headers: Record<string, string>; connections: number; durationS: number }): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-wrk-'));
  const script = join(dir, 'post.lua');
  const headerLines = Object.entries(options.headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  writeFileSync(script, ['wrk.method = "POST"', `wrk.body = ${luaString(options.body)}`, ...headerLines, ''].join('\n'));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--latency', '-s', script, options.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))));
    });
    return parseWrkOutput(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
