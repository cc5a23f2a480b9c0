/** The simulator's /metrics: vLLM's metric names in Prometheus text format, hand-written because it is small and scraped often. */

// vLLM's own bucket boundaries, so dashboards and autoscaler rules built for vLLM read the simulator unchanged.
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const E2E_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

/** A fixed-bucket histogram: one linear scan per observation, cumulated only when rendered. */
class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += value;
    this.count++;
  }

  render(labels: string): string {
    let text = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    let cumulative = 0;
    for (let bucket = 0; bucket < this.bounds.length; bucket++) {
      cumulative += this.counts[bucket]!;
      text += `${this.name}_bucket{${labels},le="${this.bounds[bucket]}"} ${cumulative}\n`;
    }
    cumulative += this.counts[this.bounds.length]!;
    text += `${this.name}_bucket{${labels},le="+Inf"} ${cumulative}\n`;
    text += `${this.name}_sum{${labels}} ${this.sum}\n${this.name}_count{${labels}} ${this.count}\n`;
    return text;
  }
}

/** The engine's live numbers at scrape time. */
export interface EngineGauges {
  running: number;
  waiting: number;
  kvCacheUsage: number;
  promptTokensTotal: number;
  generationTokensTotal: number;
}

export type SimulatorFinishReason = 'stop' | 'length';

export class SimulatorMetrics {
  private readonly labels: string;
  private readonly timeToFirstToken = new Histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS);
  private readonly endToEndLatency = new Histogram('vllm:e2e_request_latency_seconds', 'Histogram of end to end request latency in seconds.', E2E_BUCKETS);
  private finishedByStop = 0;
  private finishedByLength = 0;

  constructor(modelName: string) {
    this.labels = `model_name="${escapeLabelValue(modelName)}"`;
  }

  observeTimeToFirstToken(seconds: number): void {
    this.timeToFirstToken.observe(seconds);
  }

  observeEndToEndLatency(seconds: number): void {
    this.endToEndLatency.observe(seconds);
  }

  countFinished(reason: SimulatorFinishReason): void {
    if (reason === 'stop') this.finishedByStop++;
    else this.finishedByLength++;
  }

  render(gauges: EngineGauges): string {
    const labels = this.labels;
    return (
      gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', labels, gauges.running) +
      gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', labels, gauges.waiting) +
      gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', labels, gauges.kvCacheUsage) +
      counter('vllm:prompt_tokens_total', 'Number of prefill tokens processed.', labels, gauges.promptTokensTotal) +
      counter('vllm:generation_tokens_total', 'Number of generation tokens processed.', labels, gauges.generationTokensTotal) +
      '# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n' +
      `vllm:request_success_total{${labels},finished_reason="stop"} ${this.finishedByStop}\n` +
      `vllm:request_success_total{${labels},finished_reason="length"} ${this.finishedByLength}\n` +
      this.timeToFirstToken.render(labels) +
      this.endToEndLatency.render(labels)
    );
  }
}

function gauge(name: string, help: string, labels: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}{${labels}} ${value}\n`;
}

function counter(name: string, help: string, labels: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name}{${labels}} ${value}\n`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
