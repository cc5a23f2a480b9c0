/** The JSON of GET /v1/admin/console as the page reads it (src/server/console/console-snapshot.ts writes it). */

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  count: number;
}

export interface InstanceView {
  index: number;
  url: string;
  in_flight: number;
  completed: number;
  failures: number;
  failures_in_window: number;
  breaker: 'closed' | 'half-open' | 'open';
  latency_ms: Percentiles;
  ttft_ewma_ms: number | null;
  engine: { scraped: boolean; waiting: number | null; running: number | null; kv_cache_usage: number | null; stale: boolean | null };
}

export interface PoolView {
  name: string;
  model: string;
  balancer: string;
  engine: string;
  in_flight: number;
  ttft_ms: Percentiles;
  instances: InstanceView[];
}

export interface RouteView {
  name: string;
  description: string;
  pool: string;
  fallbacks: string[];
  rules: { name: string; when: Record<string, unknown>; pool: string; fallbacks: string[] }[];
}

export interface UsageSeries {
  tenant: string;
  pool: string;
  model: string;
  tokens_per_s: number[];
  cost_usd: (number | null)[];
  tokens_total: number;
  cost_usd_total: number | null;
}

export interface TurnView {
  turn_id: string;
  session_id: string;
  tenant: string;
  at: number;
  status: string;
  agent: string;
  intent: { name: string; confidence: number; tier: string };
  stages: { name: string; start_ms: number; duration_ms: number }[];
  model_calls: { route: string; pool: string; instance: string; rule: string; attempts: number; prompt_tokens: number; completion_tokens: number }[];
  tool_calls: { name: string; duration_ms: number }[];
  experiments: { experiment: string; variant: string }[];
}

export interface ExperimentView {
  name: string;
  status: string;
  control: string;
  mode: string;
  variants: { name: string; weight: number; active: boolean; requests: number; stopped: unknown }[];
  comparisons: { variant: string; against: string; metric: string; difference: number | null; interval: [number | null, number | null]; significant: boolean }[];
  decision: unknown;
  ramp: { variant: string; step: number; steps: number[]; status: string } | null;
}

export interface ConsoleSnapshot {
  at: number;
  generation: number;
  interval_ms: number;
  percentile_window_s: number | null;
  load: {
    series: { t: number[]; requests_per_s: number[]; in_flight: number[]; queued: number[]; rejections_per_s: number[] };
    now: { requests_per_s: number; in_flight: number; queued: number; rejections_per_s: number; requests_total: number; rejections_total: number };
  };
  pools: PoolView[];
  routes: RouteView[];
  usage: { t: number[]; series: UsageSeries[] };
  turns: TurnView[];
  experiments: ExperimentView[];
}
