/** `switchboard plan gpu`: turns validated flags into a GPU plan and prints it as a report or JSON. */

import { existsSync } from 'node:fs';
import { readHuggingFaceConfig } from './huggingface-config.js';
import { gpuPlanJson, gpuPlanText, rankGpuPlans, type GpuPlanRequest } from './gpu-plan-report.js';
import { defaultServingEngine, findGpu, findModel, gpuCatalog, modelCatalog, type ModelSpec } from './planner-catalog.js';
import { defaultKvCacheDtype, isKvCacheDtypeId, isWeightFormatId, kvCacheDtypeIds, weightFormatIds } from './weight-formats.js';

export interface PlanGpuFlags {
  model: string;
  quant: string;
  kvCacheDtype: string | undefined;
  contextTokens: number;
  concurrency: number;
  promptTokens: number | undefined;
  gpu: string | undefined;
  maxSequences: number | undefined;
  gpuMemoryUtilization: number | undefined;
  json: boolean;
}

/** Thrown for a flag value the planner cannot use; the CLI maps it to a usage error (exit 2). */
export class PlanFlagError extends Error {
  override readonly name = 'PlanFlagError';
}

/** A catalog id, or a path to a Hugging Face config.json (anything ending in .json or naming an existing file). */
export function resolveModel(reference: string): ModelSpec {
  const fromCatalog = findModel(reference);
  if (fromCatalog) return fromCatalog;
  if (reference.endsWith('.json') || existsSync(reference)) return readHuggingFaceConfig(reference);
  throw new PlanFlagError(`--model: unknown model ${JSON.stringify(reference)}; catalog ids: ${modelCatalog.map((model) => model.id).join(', ')}; or give a Hugging Face config.json path`);
}

export function buildGpuPlanRequest(flags: PlanGpuFlags): GpuPlanRequest {
  const quant = flags.quant.toLowerCase();
  if (!isWeightFormatId(quant)) throw new PlanFlagError(`--quant must be one of ${weightFormatIds.join(', ')}, got ${JSON.stringify(flags.quant)}`);
  const kvCacheDtype = (flags.kvCacheDtype ?? defaultKvCacheDtype(quant)).toLowerCase();
  if (!isKvCacheDtypeId(kvCacheDtype)) throw new PlanFlagError(`--kv-cache-dtype must be one of ${kvCacheDtypeIds.join(', ')}, got ${JSON.stringify(flags.kvCacheDtype)}`);
  let gpus = gpuCatalog;
  if (flags.gpu !== undefined) {
    const gpu = findGpu(flags.gpu);
    if (!gpu) throw new PlanFlagError(`--gpu: unknown GPU ${JSON.stringify(flags.gpu)}; catalog ids: ${gpuCatalog.map((entry) => entry.id).join(', ')}`);
    gpus = [gpu];
  }
  const promptTokens = flags.promptTokens ?? Math.max(1, Math.round(flags.contextTokens * 0.75));
  if (promptTokens > flags.contextTokens) throw new PlanFlagError(`--prompt-tokens (${promptTokens}) cannot exceed --context (${flags.contextTokens})`);
  const model = resolveModel(flags.model);
  return {
    model,
    weightFormat: quant,
    kvCacheDtype,
    contextTokens: flags.contextTokens,
    concurrency: flags.concurrency,
    promptTokens,
    engine: {
      ...defaultServingEngine,
      ...(flags.maxSequences === undefined ? {} : { maxSequencesPerReplica: flags.maxSequences }),
      ...(flags.gpuMemoryUtilization === undefined ? {} : { gpuMemoryUtilization: flags.gpuMemoryUtilization }),
    },
    gpus,
    gpuGiven: flags.gpu !== undefined,
  };
}

/** Prints the plan; exit code 1 when nothing fits. */
export function runPlanGpu(flags: PlanGpuFlags, write: (text: string) => void): number {
  const request = buildGpuPlanRequest(flags);
  const ranked = rankGpuPlans(request);
  write(flags.json ? JSON.stringify(gpuPlanJson(request, ranked), null, 2) + '\n' : gpuPlanText(request, ranked) + '\n');
  return ranked[0]!.plan.fits ? 0 : 1;
}
