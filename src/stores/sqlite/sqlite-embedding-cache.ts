/** The SQLite embedding cache: one row per (model, key), the vector as a float32 BLOB. */

import type Database from 'better-sqlite3';
import type { EmbeddingCache, EmbeddingEntry } from '../store-types.js';
import { checkEmbeddingEntries, checkEmbeddingKeys, checkEmbeddingModel, decodeVector, encodeVector } from '../embedding-input.js';

export class SqliteEmbeddingCache implements EmbeddingCache {
  readonly #select: Database.Statement<[string, string], { vector: Buffer }>;
  readonly #put: (model: string, entries: readonly EmbeddingEntry[]) => void;

  constructor(db: Database.Database) {
    this.#select = db.prepare('SELECT vector FROM embeddings WHERE model = ? AND key = ?');
    const upsert = db.prepare('INSERT INTO embeddings (model, key, vector) VALUES (?, ?, ?) ON CONFLICT (model, key) DO UPDATE SET vector = excluded.vector');
    this.#put = db.transaction((model: string, entries: readonly EmbeddingEntry[]) => {
      for (const { key, vector } of entries) upsert.run(model, key, encodeVector(vector));
    });
  }

  async get(model: string, keys: readonly string[]): Promise<(number[] | undefined)[]> {
    checkEmbeddingModel(model);
    checkEmbeddingKeys(keys);
    return keys.map((key) => {
      const row = this.#select.get(model, key);
      return row === undefined ? undefined : decodeVector(row.vector);
    });
  }

  async put(model: string, entries: readonly EmbeddingEntry[]): Promise<void> {
    checkEmbeddingModel(model);
    checkEmbeddingEntries(entries);
    this.#put(model, entries);
  }
}
