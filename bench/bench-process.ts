/** Servers of a benchmark, each in its own process group: spawn, wait until ready, sample memory and CPU from /proc, stop. */

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface ProcessMemory {
  /** Resident set now, in MiB. */
  rssMb: number;
  /** Peak resident set since start (or since the last `resetPeak`), in MiB. */
  peakMb: number;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Node flags put before the script, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

/** Every process group this benchmark started, so a failure anywhere still stops them all. */
const live = new Set<BenchProcess>();

export class BenchProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly startedAt = performance.now();
  /** The last few KB of stdout and stderr, for error messages. */
  #output = '';
  #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: SpawnOptions = {},
  ) {
    // detached: a process group of its own, so stop() reaches anything it spawned too.
    this.child = spawn(command, [...(options.nodeFlags ?? []), ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error(`could not start ${name}`);
    this.pid = this.child.pid;
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-4096);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.#exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.#exitCode = code;
        live.delete(this);
        resolve(code);
      });
      this.child.once('error', () => resolve(null));
    });
    live.add(this);
  }

  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** Resolves once `url` answers 200; returns the milliseconds since spawn. Polls every `intervalMs`. */
  async waitForHttp(url: string, timeoutMs = 15_000, intervalMs = 5): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited with code ${this.#exitCode} before ${url} answered:\n${this.#output}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - this.startedAt;
      } catch {
        // Not listening yet.
      }
      await delay(intervalMs);
    }
    throw new Error(`${this.name} did not answer ${url} within ${timeoutMs} ms:\n${this.#output}`);
  }

  /** Resolves with stdout+stderr once the process has exited with code 0; rejects otherwise. */
  async completed(timeoutMs = 60_000): Promise<string> {
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    const code = await this.#exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`${this.name} exited with code ${code}:\n${this.#output}`);
    return this.#output;
  }

  memory(): ProcessMemory | undefined {
    return readMemory(this.pid);
  }

  /** Resets the kernel's peak RSS (VmHWM) to the current RSS, so the next peak is the next scenario's. */
  resetPeak(): void {
    try {
      // "5" resets the peak resident set size (Linux 4.0+).
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
    } catch {
      // Without it the peak is the process's lifetime peak: still an upper bound.
    }
  }

  /** User + system CPU seconds used so far. */
  cpuSeconds(): number {
    return readCpuSeconds(this.pid);
  }

  /** User + system CPU seconds of every live process in this one's group (nginx's master and workers). */
  groupCpuSeconds(): number {
    return readGroupCpuSeconds(this.pid);
  }

  kill(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
    // Anything the process left behind in its group.
    this.kill('SIGKILL');
  }
}

/** Stops every process group still running; safe to call more than once. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((child) => child.stop(3_000)));
}

// A crash of the bench itself must not leave servers behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function readMemory(pid: number): ProcessMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  };
  return { rssMb: field('VmRSS'), peakMb: field('VmHWM') };
}

export function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of every live process whose process group is `group`: a worker that exits mid-run takes its seconds with it. */
export function readGroupCpuSeconds(group: number): number {
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the name: state, ppid, pgrp, …, utime (12th), stime (13th).
      if (Number(fields[2]) !== group) continue;
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // Gone between the listing and the read.
    }
  }
  return total;
}

/** Samples the RSS of some processes every `intervalMs`, keeping each one's maximum. */
export class MemorySampler {
  readonly #peaks = new Map<BenchProcess, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly processes: BenchProcess[],
    intervalMs = 100,
  ) {
    for (const child of processes) child.resetPeak();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    for (const child of this.processes) {
      const memory = child.memory();
      if (memory && !(memory.rssMb <= (this.#peaks.get(child) ?? 0))) this.#peaks.set(child, memory.rssMb);
    }
  }

  /** The peak of each process: the larger of the sampled RSS and the kernel's VmHWM. */
  stop(): Map<BenchProcess, number> {
    clearInterval(this.#timer);
    this.sample();
    const peaks = new Map<BenchProcess, number>();
    for (const child of this.processes) {
      const hwm = child.memory()?.peakMb ?? 0;
      peaks.set(child, Math.max(this.#peaks.get(child) ?? 0, Number.isNaN(hwm) ? 0 : hwm));
    }
    return peaks;
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Kernel counters of dropped connections (accept queue full): a spike that overflows them pays SYN retries of a second or more. */
export function listenOverflows(): number {
  try {
    const text = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let index = 0; index + 1 < text.length; index += 2) {
      const names = text[index]!.split(/\s+/);
      const values = text[index + 1]!.split(/\s+/);
      if (names[0] !== 'TcpExt:') continue;
      const at = names.indexOf('ListenOverflows');
      return at === -1 ? Number.NaN : Number(values[at]);
    }
  } catch {
    // Not Linux.
  }
  return Number.NaN;
}
