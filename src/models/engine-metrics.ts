/** Which Prometheus metrics tell each serving engine's load, and a cheap reader that takes only those lines from a scrape. */

import type { EngineName, PoolConfig } from '../config/config-schema.js';

/** Metric names per quantity, tried in order: the first one present in a scrape wins. */
export interface EngineMetricNames {
  waiting: readonly string[];
  running: readonly string[];
  kvCacheUsage: readonly string[];
}

/**
 * Defaults per engine. vLLM renamed `gpu_cache_usage_perc` to `kv_cache_usage_perc` (V1
 * engine); both are read, the new one first. TGI exports no KV-cache usage.
 */
export const engineMetricNames: Record<Exclude<EngineName, 'none'>, EngineMetricNames> = {
  vllm: { waiting: ['vllm:num_requests_waiting'], running: ['vllm:num_requests_running'], kvCacheUsage: ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'] },
  sglang: { waiting: ['sglang:num_queue_reqs'], running: ['sglang:num_running_reqs'], kvCacheUsage: ['sglang:token_usage'] },
  tgi: { waiting: ['tgi_queue_size'], running: ['tgi_batch_current_size'], kvCacheUsage: [] },
};

/** The pool's names: its engine's defaults, each list replaced where the config gives one. */
export function metricNamesFor(pool: Pick<PoolConfig, 'engine' | 'metrics'>): EngineMetricNames | undefined {
  if (pool.engine === 'none') return undefined;
  const defaults = engineMetricNames[pool.engine];
  return {
    waiting: pool.metrics.waiting ?? defaults.waiting,
    running: pool.metrics.running ?? defaults.running,
    kvCacheUsage: pool.metrics.kvCacheUsage ?? defaults.kvCacheUsage,
  };
}

export interface EngineLoad {
  waiting: number;
  running: number;
  /** In [0, 1]; 0 when the engine exports none. */
  kvCacheUsage: number;
}

/**
 * Reads the load from Prometheus text. Queue and running counts are summed over label sets
 * (one engine serving several models), KV usage takes the highest. Returns undefined when
 * no waiting metric is present: an engine that does not report its queue cannot be trusted
 * to have none. Only lines starting with a wanted name are parsed.
 */
export function readEngineLoad(text: string, names: EngineMetricNames): EngineLoad | undefined {
  const waiting = readMetric(text, names.waiting, false);
  if (waiting === undefined) return undefined;
  return {
    waiting,
    running: readMetric(text, names.running, false) ?? 0,
    kvCacheUsage: Math.min(1, Math.max(0, readMetric(text, names.kvCacheUsage, true) ?? 0)),
  };
}

function readMetric(text: string, alternatives: readonly string[], takeMax: boolean): number | undefined {
  for (const name of alternatives) {
    const value = readSamples(text, name, takeMax);
    if (value !== undefined) return value;
  }
  return undefined;
}

function readSamples(text: string, name: string, takeMax: boolean): number | undefined {
  let result: number | undefined;
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    if (text.startsWith(name, lineStart)) {
      const value = sampleValue(text, lineStart + name.length, lineEnd);
      if (value !== undefined) result = result === undefined ? value : takeMax ? Math.max(result, value) : result + value;
    }
    lineStart = lineEnd + 1;
  }
  return result;
}

/** The value of a sample line whose name ends at `at`: after its labels, before an optional timestamp. */
function sampleValue(text: string, at: number, lineEnd: number): number | undefined {
  let position = at;
  const next = text.charCodeAt(position);
  if (next === 123 /* { */) {
    let quoted = false;
    for (position++; position < lineEnd; position++) {
      const code = text.charCodeAt(position);
      if (code === 92 /* \ */ && quoted) position++;
      else if (code === 34 /* " */) quoted = !quoted;
      else if (code === 125 /* } */ && !quoted) break;
    }
    position++;
  } else if (next !== 32 /* space */) {
    // A longer name that starts with this one (`..._total` after `...`).
    return undefined;
  }
  while (text.charCodeAt(position) === 32) position++;
  let end = position;
  while (end < lineEnd && text.charCodeAt(end) !== 32 && text.charCodeAt(end) !== 13) end++;
  const value = Number(text.slice(position, end));
  return end > position && Number.isFinite(value) ? value : undefined;
}
