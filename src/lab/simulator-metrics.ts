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
  prefixCacheQueriesTotal: number;
  prefixCacheHitsTotal: number;
}

/** The engine's fixed cache settings, shown as vLLM's `cache_config_info`. */
export interface CacheConfig {
  blockTokens: number;
  kvBlocks: number;
  prefixCaching: boolean;
}

export type SimulatorFinishReason = 'stop' | 'length' | 'tool_calls';

export class SimulatorMetrics {
  private readonly labels: string;
  private readonly timeToFirstToken = new Histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS);
  private readonly endToEndLatency = new Histogram('vllm:e2e_request_latency_seconds', 'Histogram of end to end request latency in seconds.', E2E_BUCKETS);
  private finishedByStop = 0;
  private finishedByLength = 0;
  private cancelled = 0;
  private embeddingRequests = 0;
  private embeddingInputs = 0;
  private embeddingTokens = 0;
  private readonly cacheConfigInfo: string;

  constructor(modelName: string, cacheConfig: CacheConfig) {
    this.labels = `model_name="${escapeLabelValue(modelName)}"`;
    this.cacheConfigInfo =
      '# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n# TYPE vllm:cache_config_info gauge\n' +
      `vllm:cache_config_info{block_size="${cacheConfig.blockTokens}",num_gpu_blocks="${cacheConfig.kvBlocks}",enable_prefix_caching="${cacheConfig.prefixCaching ? 'True' : 'False'}"} 1\n`;
  }

  /** A client went away before its answer was complete. */
  countCancelled(): void {
    this.cancelled++;
  }

  countEmbeddings(inputs: number, tokens: number): void {
    this.embeddingRequests++;
    this.embeddingInputs += inputs;
    this.embeddingTokens += tokens;
  }

  observeTimeToFirstToken(seconds: number): void {
    this.timeToFirstToken.observe(seconds);
  }

  observeEndToEndLatency(seconds: number): void {
    this.endToEndLatency.observe(seconds);
  }

  countFinished(reason: SimulatorFinishReason): void {
    // vLLM's engine knows no tool calls: an answer that ends in one stopped like any other.
    if (reason === 'length') this.finishedByLength++;
    else this.finishedByStop++;
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
      this.endToEndLatency.render(labels) +
      counter('vllm:prefix_cache_queries_total', 'Prefix cache queries, in terms of number of queried tokens.', labels, gauges.prefixCacheQueriesTotal) +
      counter('vllm:prefix_cache_hits_total', 'Prefix cache hits, in terms of number of cached tokens.', labels, gauges.prefixCacheHitsTotal) +
      this.cacheConfigInfo +
      counter('switchboard_sim_requests_cancelled_total', 'Requests whose client went away before the answer was complete.', labels, this.cancelled) +
      counter('switchboard_sim_embedding_requests_total', 'Embeddings requests answered.', labels, this.embeddingRequests) +
      counter('switchboard_sim_embedding_inputs_total', 'Texts embedded.', labels, this.embeddingInputs) +
      counter('switchboard_sim_embedding_tokens_total', 'Prompt tokens of embedded texts.', labels, this.embeddingTokens)
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
