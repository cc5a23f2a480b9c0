/** The planner's catalogs (models, GPUs, serving engine) loaded from JSON and validated once, with lookups by id. */

import { z } from 'zod';
import modelsJson from './catalog/models.json' with { type: 'json' };
import gpusJson from './catalog/gpus.json' with { type: 'json' };
import servingEngineJson from './catalog/serving-engine.json' with { type: 'json' };

const catalogId = z.string().regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, 'ids are lower-case kebab-case');
const positiveInteger = z.number().int().positive();

export const expertShapeSchema = z.strictObject({
  count: positiveInteger,
  perToken: positiveInteger,
  intermediateSize: positiveInteger,
  /** An always-on shared expert (Qwen2-MoE style), if the model has one. */
  sharedIntermediateSize: positiveInteger.optional(),
});

export const modelSpecSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  layers: positiveInteger,
  hiddenSize: positiveInteger,
  attentionHeads: positiveInteger,
  kvHeads: positiveInteger,
  headDim: positiveInteger,
  intermediateSize: positiveInteger,
  vocabularySize: positiveInteger,
  nativeContextTokens: positiveInteger,
  tiedEmbeddings: z.boolean(),
  attentionBias: z.boolean(),
  experts: expertShapeSchema.nullable(),
  parametersTotal: z.number().positive(),
  parametersActive: z.number().positive(),
  source: z.string().min(1),
});

export type ModelSpec = z.infer<typeof modelSpecSchema>;
export type ExpertShape = z.infer<typeof expertShapeSchema>;

export const gpuSpecSchema = z.strictObject({
  id: catalogId,
  name: z.string().min(1),
  memoryGiB: z.number().positive(),
  memoryBandwidthGBps: z.number().positive(),
  denseBf16Tflops: z.number().positive(),
  fp8: z.boolean(),
  interconnect: z.string().min(1),
  interconnectGBps: z.number().positive(),
  allReduceLatencyUs: z.number().nonnegative(),
  achievableBandwidthFraction: z.number().gt(0).max(1),
  onDemandUsdPerGpuHour: z.number().positive().nullable(),
  priceSource: z.string().min(1),
  source: z.string().min(1),
});

export type GpuSpec = z.infer<typeof gpuSpecSchema>;

export const provenanceSchema = z.enum(['published', 'assumed', 'measured']);
export type Provenance = z.infer<typeof provenanceSchema>;

const engineEntry = z.strictObject({ value: z.number().positive(), provenance: provenanceSchema, source: z.string().min(1) });

const servingEngineSchema = z.object({
  gpuMemoryUtilization: engineEntry.refine((entry) => entry.value <= 1, 'gpuMemoryUtilization is a fraction'),
  kvBlockTokens: engineEntry,
  maxSequencesPerReplica: engineEntry,
  runtimeOverheadGiBPerGpu: engineEntry,
  perStepOverheadMs: engineEntry,
  computeEfficiency: engineEntry.refine((entry) => entry.value <= 1, 'computeEfficiency is a fraction'),
});

export type ServingEngineCatalog = z.infer<typeof servingEngineSchema>;

/** The engine numbers the memory plan and the roofline use, without their provenance. */
export interface ServingEngine {
  gpuMemoryUtilization: number;
  kvBlockTokens: number;
  maxSequencesPerReplica: number;
  runtimeOverheadGiBPerGpu: number;
  perStepOverheadMs: number;
  computeEfficiency: number;
}

function parseCatalog<T>(schema: z.ZodType<T>, data: unknown, file: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`planner catalog ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export const modelCatalog: readonly ModelSpec[] = parseCatalog(
  z.object({ models: z.array(modelSpecSchema.extend({ id: catalogId })) }),
  modelsJson,
  'models.json',
).models;

export const gpuCatalog: readonly GpuSpec[] = parseCatalog(z.object({ gpus: z.array(gpuSpecSchema) }), gpusJson, 'gpus.json').gpus;

export const servingEngineCatalog: ServingEngineCatalog = parseCatalog(servingEngineSchema, servingEngineJson, 'serving-engine.json');

export const defaultServingEngine: ServingEngine = {
  gpuMemoryUtilization: servingEngineCatalog.gpuMemoryUtilization.value,
  kvBlockTokens: servingEngineCatalog.kvBlockTokens.value,
  maxSequencesPerReplica: servingEngineCatalog.maxSequencesPerReplica.value,
  runtimeOverheadGiBPerGpu: servingEngineCatalog.runtimeOverheadGiBPerGpu.value,
  perStepOverheadMs: servingEngineCatalog.perStepOverheadMs.value,
  computeEfficiency: servingEngineCatalog.computeEfficiency.value,
};

export function findModel(id: string): ModelSpec | undefined {
  return modelCatalog.find((model) => model.id === id.toLowerCase());
}

export function findGpu(id: string): GpuSpec | undefined {
  return gpuCatalog.find((gpu) => gpu.id === id.toLowerCase());
}
