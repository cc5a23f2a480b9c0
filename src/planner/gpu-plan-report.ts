/** Runs the GPU memory plan on one GPU or every catalog GPU and renders the result as JSON or a terminal report. */

import { bytesPerGiB, planGpuMemory, type GpuPlan, type GpuPlanInput } from './gpu-memory-plan.js';
import { servingEngineCatalog, type GpuSpec, type ServingEngine } from './planner-catalog.js';
import { formatNumber, formatTable, formatUsd, round } from './text-table.js';
import { weightFormats } from './weight-formats.js';

/** The plan's input for several GPUs at once. */
export interface GpuPlanRequest extends Omit<GpuPlanInput, 'gpu'> {
  /** One GPU when the user named it, else the whole catalog. */
  gpus: readonly GpuSpec[];
  gpuGiven: boolean;
}

export interface RankedPlan {
  gpu: GpuSpec;
  plan: GpuPlan;
}

/** Plans that fit first; among them the cheapest per hour, unpriced ones after by GPU count. */
export function rankGpuPlans(request: GpuPlanRequest): RankedPlan[] {
  const ranked = request.gpus.map((gpu) => {
    const input: GpuPlanInput = { ...request, gpu };
    return { gpu, plan: planGpuMemory(input) };
  });
  const key = (entry: RankedPlan): [number, number, number] => [
    entry.plan.fits ? 0 : 1,
    entry.plan.costPerHourUsd === null ? 1 : 0,
    entry.plan.costPerHourUsd ?? entry.plan.totalGpus,
  ];
  return ranked.sort((left, right) => {
    const [a, b] = [key(left), key(right)];
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || left.plan.totalGpus - right.plan.totalGpus;
  });
}

function planJson(request: GpuPlanRequest, entry: RankedPlan): Record<string, unknown> {
  const { plan, gpu } = entry;
  return {
    gpu: {
      id: gpu.id,
      name: gpu.name,
      memoryGiB: gpu.memoryGiB,
      memoryBandwidthGBps: gpu.memoryBandwidthGBps,
      denseBf16Tflops: gpu.denseBf16Tflops,
      achievableBandwidthFraction: gpu.achievableBandwidthFraction,
      onDemandUsdPerGpuHour: gpu.onDemandUsdPerGpuHour,
      priceSource: gpu.priceSource,
      source: gpu.source,
    },
    fits: plan.fits,
    reason: plan.reason,
    weightsGiB: round(plan.weightsGiB),
    kvCacheGiB: round(plan.kvCacheGiB),
    overheadGiB: round(plan.overheadGiB),
    totalGiB: round(plan.totalGiB),
    provisionedGiB: round(plan.provisionedGiB),
    tensorParallel: plan.tensorParallel,
    gpusPerReplica: plan.gpusPerReplica,
    replicas: plan.replicas,
    totalGpus: plan.totalGpus,
    maxConcurrencyPerReplica: plan.maxConcurrencyPerReplica,
    sequencesPerReplica: plan.sequencesPerReplica,
    kvBytesPerToken: plan.kvBytesPerToken,
    kvBytesPerTokenPerGpu: plan.kvBytesPerTokenPerGpu,
    contextTokensInBlocks: plan.contextTokensInBlocks,
    perGpu: Object.fromEntries(Object.entries(plan.perGpu).map(([name, value]) => [name, round(value)])),
    decodeStepMs: plan.decode ? round(plan.decode.stepMs) : null,
    decodeBound: plan.decode?.bound ?? null,
    decodeTokensPerSecondPerSequence: round(plan.decodeTokensPerSecondPerSequence, 1),
    decodeTokensPerSecond: round(plan.decodeTokensPerSecond, 1),
    timeToFirstTokenMs: plan.timeToFirstTokenMs === null ? null : round(plan.timeToFirstTokenMs, 1),
    costPerHourUsd: plan.costPerHourUsd === null ? null : round(plan.costPerHourUsd, 4),
    notes: plan.notes,
  };
}

/** The `--json` document: the chosen plan's fields at the top level, every GPU under `alternatives` when none was named. */
export function gpuPlanJson(request: GpuPlanRequest, ranked: readonly RankedPlan[]): Record<string, unknown> {
  const best = ranked[0]!;
  const { model } = request;
  return {
    model: {
      id: model.id,
      name: model.name,
      parametersTotal: model.parametersTotal,
      parametersActive: model.parametersActive,
      layers: model.layers,
      attentionHeads: model.attentionHeads,
      kvHeads: model.kvHeads,
      headDim: model.headDim,
      nativeContextTokens: model.nativeContextTokens,
      experts: model.experts,
      source: model.source,
    },
    quant: request.weightFormat,
    quantDescription: weightFormats[request.weightFormat].description,
    kvCacheDtype: request.kvCacheDtype,
    contextTokens: request.contextTokens,
    concurrency: request.concurrency,
    promptTokens: request.promptTokens,
    ...planJson(request, best),
    engine: { ...engineProvenance(request.engine) },
    ...(request.gpuGiven ? {} : { alternatives: ranked.map((entry) => planJson(request, entry)) }),
  };
}

function engineProvenance(engine: ServingEngine): Record<string, { value: number; provenance: string; source: string }> {
  const result: Record<string, { value: number; provenance: string; source: string }> = {};
  for (const [name, entry] of Object.entries(servingEngineCatalog)) {
    const value = engine[name as keyof ServingEngine];
    const overridden = value !== entry.value;
    result[name] = { value, provenance: overridden ? 'flag' : entry.provenance, source: overridden ? 'command line' : entry.source };
  }
  return result;
}

const gib = (value: number): string => `${formatNumber(value, 2)} GiB`;

function singlePlanText(request: GpuPlanRequest, entry: RankedPlan): string[] {
  const { plan, gpu } = entry;
  const lines: string[] = [];
  const price = gpu.onDemandUsdPerGpuHour === null ? 'no published price' : `${formatUsd(gpu.onDemandUsdPerGpuHour)}/GPU-hour`;
  lines.push(`GPU: ${gpu.name} (${gpu.id}): ${gpu.memoryGiB} GiB, ${formatNumber(gpu.memoryBandwidthGBps)} GB/s, ${formatNumber(gpu.denseBf16Tflops)} TFLOP/s BF16 dense, ${price}`);
  if (!plan.fits) {
    lines.push('', `Does not fit. ${plan.reason ?? ''}`);
    return lines;
  }
  const perGpu = plan.perGpu;
  const replicated = plan.kvBytesPerTokenPerGpu * plan.tensorParallel > plan.kvBytesPerToken;
  const kvLine =
    `KV cache: ${formatNumber(plan.kvBytesPerToken / 1024)} KiB per token (2 × ${request.model.layers} layers × ${request.model.kvHeads} KV heads × ${request.model.headDim} × ${request.kvCacheDtype})` +
    (replicated ? `, ${formatNumber(plan.kvBytesPerTokenPerGpu / 1024)} KiB per GPU as tensor parallel ${plan.tensorParallel} replicates the KV heads` : plan.tensorParallel > 1 ? ` split over ${plan.tensorParallel} GPUs` : '') +
    `; ${formatNumber(plan.contextTokensInBlocks)} tokens per sequence in blocks of ${request.engine.kvBlockTokens}`;
  lines.push(
    '',
    formatTable(
      ['Memory', 'per GPU', 'whole plan'],
      [
        ['weights', gib(perGpu.weightsGiB), gib(plan.weightsGiB * plan.replicas)],
        [`KV cache (${formatNumber(request.concurrency)} × ${formatNumber(request.contextTokens)} tokens)`, gib(perGpu.kvUsedGiB), gib(plan.kvCacheGiB)],
        ['runtime overhead', gib(perGpu.overheadGiB), gib(plan.overheadGiB)],
        ['total needed', gib(perGpu.weightsGiB + perGpu.kvUsedGiB + perGpu.overheadGiB), gib(plan.totalGiB)],
        [`usable (${gpu.memoryGiB} GiB × ${request.engine.gpuMemoryUtilization})`, gib(perGpu.usableGiB), gib(perGpu.usableGiB * plan.totalGpus)],
        ['room for KV cache', gib(perGpu.kvCapacityGiB), ''],
      ],
    ),
    kvLine,
    '',
    `Plan: tensor parallel ${plan.tensorParallel} × ${plan.replicas} replica${plan.replicas === 1 ? '' : 's'} = ${plan.totalGpus} GPU${plan.totalGpus === 1 ? '' : 's'}` +
      (plan.costPerHourUsd === null ? '' : `, ${formatUsd(plan.costPerHourUsd)}/hour on demand`),
    `  one replica holds up to ${formatNumber(plan.maxConcurrencyPerReplica)} sequences of ${formatNumber(request.contextTokens)} tokens` +
      (plan.maxConcurrencyPerReplica === request.engine.maxSequencesPerReplica ? ` (the engine's --max-num-seqs cap)` : ''),
  );
  const decode = plan.decode!;
  lines.push(
    `Decode (roofline, ${formatNumber(plan.sequencesPerReplica)} sequences per replica, all at full context): ${formatNumber(decode.stepMs, 1)} ms per step, ${decode.bound}-bound`,
    `  ${formatNumber(plan.decodeTokensPerSecondPerSequence, 1)} tokens/s per sequence, ${formatNumber(plan.decodeTokensPerSecond)} tokens/s in total`,
    `Time to first token (${formatNumber(request.promptTokens)}-token prompt on an idle replica, compute estimate): ${formatNumber(plan.timeToFirstTokenMs ?? 0)} ms`,
  );
  return lines;
}

export function gpuPlanText(request: GpuPlanRequest, ranked: readonly RankedPlan[]): string {
  const { model } = request;
  const best = ranked[0]!;
  const active = model.experts ? `, ${formatNumber(model.parametersActive / 1e9, 1)}B active` : '';
  const lines = [
    `Model: ${model.name} (${model.id}): ${formatNumber(model.parametersTotal / 1e9, 2)}B parameters${active}; ${request.weightFormat} weights (${formatNumber(best.plan.weightBytes.total / bytesPerGiB, 2)} GiB), ${request.kvCacheDtype} KV cache`,
    `Workload: ${formatNumber(request.concurrency)} concurrent sequences × ${formatNumber(request.contextTokens)} tokens of context (prompt ${formatNumber(request.promptTokens)})`,
  ];
  if (!request.gpuGiven) {
    lines.push(
      '',
      formatTable(
        ['GPU', 'fits', 'TP', 'replicas', 'GPUs', '$/hour', 'seqs/replica', 'tok/s/seq', 'tok/s total', 'TTFT ms'],
        ranked.map(({ gpu, plan }) => [
          gpu.id,
          plan.fits ? 'yes' : 'no',
          plan.fits ? String(plan.tensorParallel) : '-',
          plan.fits ? String(plan.replicas) : '-',
          plan.fits ? String(plan.totalGpus) : '-',
          plan.fits ? formatUsd(plan.costPerHourUsd) : '-',
          plan.fits ? formatNumber(plan.maxConcurrencyPerReplica) : '-',
          plan.fits ? formatNumber(plan.decodeTokensPerSecondPerSequence, 1) : '-',
          plan.fits ? formatNumber(plan.decodeTokensPerSecond) : '-',
          plan.fits ? formatNumber(plan.timeToFirstTokenMs ?? 0) : '-',
        ]),
      ),
      '',
      best.plan.fits ? `Cheapest that fits: ${best.gpu.id} (details below; --gpu ID for another)` : 'No GPU in the catalog fits this on one node of 8.',
    );
  }
  lines.push('', ...singlePlanText(request, best));
  if (best.plan.notes.length > 0) lines.push('', 'Notes:', ...best.plan.notes.map((note) => `  - ${note}`));
  return lines.join('\n');
}
