/** Checks what callers hand to an embedding cache, and the float32 bytes every backend keeps a vector as. */

import { SwitchboardError } from '../errors.js';
import type { EmbeddingEntry } from './store-types.js';

/** Longer keys than a SHA-512 in hex are not hashes. */
const maxKeyLength = 128;
/** The largest embedding models give 3,072 dimensions; this leaves room without letting a row grow without bound. */
export const maxEmbeddingDimensions = 16_384;

function invalid(param: string, message: string): SwitchboardError {
  return new SwitchboardError('invalid_request', message, { param });
}

export function checkEmbeddingModel(model: unknown): string {
  if (typeof model !== 'string' || model.length === 0 || model.length > 256) throw invalid('model', 'model must be a string of 1 to 256 characters');
  return model;
}

export function checkEmbeddingKeys(keys: unknown): readonly string[] {
  if (!Array.isArray(keys)) throw invalid('keys', 'keys must be an array of strings');
  for (const [index, key] of keys.entries()) {
    if (typeof key !== 'string' || key.length === 0 || key.length > maxKeyLength) throw invalid(`keys[${index}]`, `keys[${index}] must be a string of 1 to ${maxKeyLength} characters`);
  }
  return keys as string[];
}

export function checkEmbeddingEntries(entries: unknown): readonly EmbeddingEntry[] {
  if (!Array.isArray(entries)) throw invalid('entries', 'entries must be an array');
  for (const [index, entry] of entries.entries()) {
    const { key, vector } = (entry ?? {}) as Partial<EmbeddingEntry>;
    if (typeof key !== 'string' || key.length === 0 || key.length > maxKeyLength) throw invalid(`entries[${index}].key`, `entries[${index}].key must be a string of 1 to ${maxKeyLength} characters`);
    if (!Array.isArray(vector) || vector.length === 0 || vector.length > maxEmbeddingDimensions || !vector.every((value) => typeof value === 'number' && Number.isFinite(value))) {
      throw invalid(`entries[${index}].vector`, `entries[${index}].vector must be 1 to ${maxEmbeddingDimensions} finite numbers`);
    }
  }
  return entries as EmbeddingEntry[];
}

/** A vector as little-endian float32 bytes. */
export function encodeVector(vector: readonly number[]): Buffer {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index++) bytes.writeFloatLE(vector[index]!, index * 4);
  return bytes;
}

export function decodeVector(bytes: Uint8Array): number[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Array<number>(view.length / 4);
  for (let index = 0; index < vector.length; index++) vector[index] = view.readFloatLE(index * 4);
  return vector;
}
