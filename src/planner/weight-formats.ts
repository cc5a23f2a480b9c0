/** Bytes per parameter for each weight format and each KV-cache data type, with the overhead of quantisation scales. */

export const weightFormatIds = ['fp32', 'bf16', 'fp16', 'fp8', 'int8', 'int4', 'gptq', 'awq'] as const;
export type WeightFormatId = (typeof weightFormatIds)[number];

export interface WeightFormat {
  id: WeightFormatId;
  /** Bits stored per weight of the transformer's linear layers, scales and zero points included. */
  linearBits: number;
  /** Bits per weight of the embedding table and output head, which quantisers leave in 16-bit. */
  embeddingBits: number;
  description: string;
}

/**
 * GPTQ and AWQ (as vLLM loads them) store 4-bit weights in groups of 128 with one fp16
 * scale and one packed 4-bit zero point per group: (16 + 4) / 128 = 0.156 extra bits per weight.
 */
const groupScaleOverheadBits = (16 + 4) / 128;

export const weightFormats: Record<WeightFormatId, WeightFormat> = {
  fp32: { id: 'fp32', linearBits: 32, embeddingBits: 32, description: '32-bit float everywhere' },
  bf16: { id: 'bf16', linearBits: 16, embeddingBits: 16, description: 'bfloat16 everywhere (the usual serving precision)' },
  fp16: { id: 'fp16', linearBits: 16, embeddingBits: 16, description: 'float16 everywhere' },
  fp8: { id: 'fp8', linearBits: 8, embeddingBits: 16, description: 'FP8 (E4M3) linear layers with per-tensor or per-channel scales; embeddings and head stay 16-bit' },
  int8: { id: 'int8', linearBits: 8, embeddingBits: 16, description: 'INT8 linear layers with per-channel scales (W8A8 or W8A16); embeddings and head stay 16-bit' },
  int4: { id: 'int4', linearBits: 4, embeddingBits: 16, description: 'idealised 4-bit linear layers with negligible scales; embeddings and head stay 16-bit' },
  gptq: { id: 'gptq', linearBits: 4 + groupScaleOverheadBits, embeddingBits: 16, description: 'GPTQ 4-bit, group size 128 (fp16 scale + 4-bit zero per group = 4.16 bits per weight)' },
  awq: { id: 'awq', linearBits: 4 + groupScaleOverheadBits, embeddingBits: 16, description: 'AWQ 4-bit, group size 128 (fp16 scale + 4-bit zero per group = 4.16 bits per weight)' },
};

export const kvCacheDtypeIds = ['fp32', 'bf16', 'fp16', 'fp8'] as const;
export type KvCacheDtypeId = (typeof kvCacheDtypeIds)[number];

export const kvCacheBytesPerElement: Record<KvCacheDtypeId, number> = { fp32: 4, bf16: 2, fp16: 2, fp8: 1 };

/** The KV cache keeps the activation precision unless told otherwise: fp32 models keep fp32, everything else 16-bit. */
export function defaultKvCacheDtype(format: WeightFormatId): KvCacheDtypeId {
  return format === 'fp32' ? 'fp32' : format === 'fp16' ? 'fp16' : 'bf16';
}

export function isWeightFormatId(value: string): value is WeightFormatId {
  return (weightFormatIds as readonly string[]).includes(value);
}

export function isKvCacheDtypeId(value: string): value is KvCacheDtypeId {
  return (kvCacheDtypeIds as readonly string[]).includes(value);
}
