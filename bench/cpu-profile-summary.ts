/** Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and lists where the time went: top functions by self time, and idle vs busy. */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  /** `function file:line`, the file shortened to its last two path segments. */
  frame: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  busyShare: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  garbageCollectorMs: number;
  top: ProfileEntry[];
}

function frameName(node: ProfileNode): string {
  const frame = node.callFrame;
  const file = frame.url ? frame.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/') : '';
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

export function summarizeProfile(path: string, topCount = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFrame = new Map<string, number>();
  let total = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const node = byId.get(profile.samples[index]!);
    const micros = profile.timeDeltas[index] ?? 0;
    if (!node) continue;
    const name = frameName(node);
    selfByFrame.set(name, (selfByFrame.get(name) ?? 0) + micros);
    total += micros;
  }
  const idle = selfByFrame.get('(idle)') ?? 0;
  const busy = Math.max(1, total - idle);
  const top = [...selfByFrame]
    .filter(([name]) => name !== '(idle)')
    .sort((left, right) => right[1] - left[1])
    .slice(0, topCount)
    .map(([frame, micros]) => ({ frame, selfMs: Math.round(micros / 1000), busyShare: Math.round((micros / busy) * 1000) / 1000 }));
  return { totalMs: Math.round(total / 1000), idleMs: Math.round(idle / 1000), garbageCollectorMs: Math.round((selfByFrame.get('(garbage collector)') ?? 0) / 1000), top };
}

/** The profile a `--cpu-prof --cpu-prof-dir=DIR` process wrote, or undefined. */
export function findProfile(directory: string): string | undefined {
  try {
    const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
    return file ? join(directory, file) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Inclusive time: each frame's samples with everything it called, a frame counted once per sample
 * even when it recurses. Says which layer a cost belongs to, where self time names only the leaf.
 */
export function summarizeInclusive(path: string, topCount = 25): ProfileEntry[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const microsById = new Map<number, number>();
  let busy = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index]!;
    const micros = profile.timeDeltas[index] ?? 0;
    microsById.set(id, (microsById.get(id) ?? 0) + micros);
    if (byId.get(id)?.callFrame.functionName !== '(idle)') busy += micros;
  }
  const inclusive = new Map<string, number>();
  for (const [id, micros] of microsById) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const name = frameName(byId.get(current)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  }
  return [...inclusive]
    .filter(([name]) => name !== '(root)')
    .sort((left, right) => right[1] - left[1])
    .slice(0, topCount)
    .map(([frame, micros]) => ({ frame, selfMs: Math.round(micros / 1000), busyShare: Math.round((micros / Math.max(1, busy)) * 1000) / 1000 }));
}
