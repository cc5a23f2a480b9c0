/** Traffic profiles (steady, ramp, spike, diurnal, trace) turned into sorted arrival times in milliseconds. */

import { readFileSync } from 'node:fs';
import { formatMs } from './duration-distribution.js';
import { exponentialDraw, type RandomSource } from '../../stats/seeded-random.js';

export type ArrivalProcess = 'poisson' | 'uniform';

export type TrafficProfile =
  | { kind: 'spike'; users: number; windowMs: number }
  | { kind: 'steady'; ratePerSecond: number; durationMs: number; arrivals: ArrivalProcess }
  | { kind: 'ramp'; fromRatePerSecond: number; toRatePerSecond: number; durationMs: number; arrivals: ArrivalProcess }
  | { kind: 'diurnal'; meanRatePerSecond: number; amplitude: number; periodMs: number; durationMs: number; arrivals: ArrivalProcess }
  | { kind: 'trace'; file: string; arrivalsMs: Float64Array };

export const profileKinds = ['spike', 'steady', 'ramp', 'diurnal', 'trace'] as const;

/** A simulation of more arrivals than this would take too long to be a planning tool. */
export const maxArrivals = 5_000_000;

export class TrafficProfileError extends Error {
  override readonly name = 'TrafficProfileError';
}

/** Requests per second at `timeMs`. */
function rateAt(profile: Exclude<TrafficProfile, { kind: 'spike' | 'trace' }>, timeMs: number): number {
  switch (profile.kind) {
    case 'steady':
      return profile.ratePerSecond;
    case 'ramp':
      return profile.fromRatePerSecond + ((profile.toRatePerSecond - profile.fromRatePerSecond) * timeMs) / profile.durationMs;
    case 'diurnal':
      // Starts at the trough (night) and peaks half a period later.
      return profile.meanRatePerSecond * (1 - profile.amplitude * Math.cos((2 * Math.PI * timeMs) / profile.periodMs));
  }
}

function peakRate(profile: Exclude<TrafficProfile, { kind: 'spike' | 'trace' }>): number {
  switch (profile.kind) {
    case 'steady':
      return profile.ratePerSecond;
    case 'ramp':
      return Math.max(profile.fromRatePerSecond, profile.toRatePerSecond);
    case 'diurnal':
      return profile.meanRatePerSecond * (1 + profile.amplitude);
  }
}

/** Expected arrivals, to refuse a profile too big to simulate before drawing it. */
export function expectedArrivals(profile: TrafficProfile): number {
  switch (profile.kind) {
    case 'spike':
      return profile.users;
    case 'trace':
      return profile.arrivalsMs.length;
    case 'steady':
      return (profile.ratePerSecond * profile.durationMs) / 1000;
    case 'ramp':
      return (((profile.fromRatePerSecond + profile.toRatePerSecond) / 2) * profile.durationMs) / 1000;
    case 'diurnal':
      return (profile.meanRatePerSecond * profile.durationMs) / 1000;
  }
}

/** An append-only Float64Array that doubles when full. */
class GrowableTimes {
  private values: Float64Array;
  private count = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  toArray(): Float64Array {
    return this.values.slice(0, this.count);
  }
}

/** Sorted arrival times. Poisson processes with a varying rate are drawn by thinning. */
export function generateArrivals(profile: TrafficProfile, random: RandomSource): Float64Array {
  const expected = expectedArrivals(profile);
  if (expected > maxArrivals) {
    throw new TrafficProfileError(`the profile would send about ${Math.round(expected).toLocaleString('en-US')} requests; the simulator takes at most ${maxArrivals.toLocaleString('en-US')} (shorten --duration or lower --rate)`);
  }
  if (profile.kind === 'trace') return profile.arrivalsMs;
  if (profile.kind === 'spike') {
    const arrivals = new Float64Array(profile.users);
    for (let index = 0; index < profile.users; index++) arrivals[index] = random.next() * profile.windowMs;
    return arrivals.sort();
  }
  const arrivals = new GrowableTimes(Math.ceil(expected * 1.1) + 16);
  const maximum = peakRate(profile);
  if (maximum <= 0) return new Float64Array(0);
  let time = 0;
  if (profile.arrivals === 'uniform') {
    // Deterministic spacing of 1/rate: the "uniform" process of the hand-checkable tests.
    for (;;) {
      const rate = rateAt(profile, time);
      time += rate > 0 ? 1000 / rate : 1000 / maximum;
      if (time >= profile.durationMs) break;
      if (rate > 0) arrivals.push(time);
    }
    return arrivals.toArray();
  }
  for (;;) {
    time += exponentialDraw(random, 1000) / maximum;
    if (time >= profile.durationMs) break;
    if (random.next() * maximum < rateAt(profile, time)) arrivals.push(time);
  }
  return arrivals.toArray();
}

/** Simulated time the profile covers: the spike window, the duration, or the trace's span. */
export function profileDurationMs(profile: TrafficProfile): number {
  switch (profile.kind) {
    case 'spike':
      return profile.windowMs;
    case 'trace':
      return profile.arrivalsMs.length > 0 ? profile.arrivalsMs[profile.arrivalsMs.length - 1]! : 0;
    default:
      return profile.durationMs;
  }
}

export function describeProfile(profile: TrafficProfile): string {
  switch (profile.kind) {
    case 'spike':
      return profile.windowMs === 0
        ? `spike of ${profile.users.toLocaleString('en-US')} users arriving at the same instant`
        : `spike of ${profile.users.toLocaleString('en-US')} users arriving within ${formatMs(profile.windowMs)}`;
    case 'steady':
      return `steady ${profile.ratePerSecond}/s for ${formatMs(profile.durationMs)} (${profile.arrivals})`;
    case 'ramp':
      return `ramp from ${profile.fromRatePerSecond}/s to ${profile.toRatePerSecond}/s over ${formatMs(profile.durationMs)} (${profile.arrivals})`;
    case 'diurnal':
      return `diurnal, mean ${profile.meanRatePerSecond}/s ±${Math.round(profile.amplitude * 100)}% over a ${formatMs(profile.periodMs)} period, for ${formatMs(profile.durationMs)} (${profile.arrivals})`;
    case 'trace':
      return `trace ${profile.file}: ${profile.arrivalsMs.length.toLocaleString('en-US')} arrivals over ${formatMs(Math.round(profileDurationMs(profile)))}`;
  }
}

/**
 * Arrival times from a file: a JSON array of numbers, or one arrival per line (the first
 * comma- or whitespace-separated field: seconds as a number, or an ISO-8601 timestamp).
 * Lines starting with # and a header line are skipped. Times are shifted to start at 0.
 */
export function parseTrace(text: string, file: string): Float64Array {
  const values: number[] = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new TrafficProfileError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw new TrafficProfileError(`${file}: expected an array of arrival times in seconds`);
    parsed.forEach((value, index) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TrafficProfileError(`${file}: element ${index} is not a number of seconds`);
      values.push(value * 1000);
    });
  } else {
    const lines = trimmed.split(/\r?\n/);
    lines.forEach((line, index) => {
      const field = line.trim().split(/[,\s]+/)[0] ?? '';
      if (field === '' || field.startsWith('#')) return;
      const seconds = Number(field);
      if (Number.isFinite(seconds)) {
        values.push(seconds * 1000);
        return;
      }
      const date = /^\d{4}-\d{2}-\d{2}/.test(field) ? Date.parse(field) : Number.NaN;
      if (Number.isFinite(date)) {
        values.push(date);
        return;
      }
      if (values.length === 0 && index === lines.findIndex((candidate) => candidate.trim() !== '' && !candidate.trim().startsWith('#'))) return;
      throw new TrafficProfileError(`${file}:${index + 1}: ${JSON.stringify(field)} is neither seconds nor an ISO-8601 time`);
    });
  }
  if (values.length === 0) throw new TrafficProfileError(`${file}: no arrival times`);
  const arrivals = Float64Array.from(values).sort();
  const start = arrivals[0]!;
  for (let index = 0; index < arrivals.length; index++) arrivals[index] = arrivals[index]! - start;
  return arrivals;
}

export function readTrace(file: string): Float64Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TrafficProfileError(`cannot read trace ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseTrace(text, file);
}
