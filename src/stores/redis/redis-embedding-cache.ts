/** The Redis embedding cache: one hash per model, field = text hash, value = the float32 bytes. */

import type { Redis } from 'ioredis';
import type { EmbeddingCache, EmbeddingEntry } from '../store-types.js';
import { checkEmbeddingEntries, checkEmbeddingKeys, checkEmbeddingModel, decodeVector, encodeVector } from '../embedding-input.js';
import type { RedisKeyNames } from './redis-key-names.js';

export class RedisEmbeddingCache implements EmbeddingCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyNames,
  ) {}

  async get(model: string, keys: readonly string[]): Promise<(number[] | undefined)[]> {
    checkEmbeddingModel(model);
    checkEmbeddingKeys(keys);
    if (keys.length === 0) return [];
    const values = await this.redis.hmgetBuffer(this.keys.embeddings(model), ...keys);
    return values.map((value) => (value === null ? undefined : decodeVector(value)));
  }

  async put(model: string, entries: readonly EmbeddingEntry[]): Promise<void> {
    checkEmbeddingModel(model);
    checkEmbeddingEntries(entries);
    if (entries.length === 0) return;
    const fields = new Map<string, Buffer>(entries.map(({ key, vector }) => [key, encodeVector(vector)]));
    await this.redis.hset(this.keys.embeddings(model), fields);
  }
}
