/** The embedding-cache part of the store contract: float32 round trips, misses, models kept apart, replacement, pages beyond one batch, refusals by name. */

import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Store } from '../../src/stores/store-types.js';
import { rejectsAsInvalid } from './store-assertions.js';

/** Exactly representable in float32, so a round trip must give the same numbers back. */
const vectorOf = (seed: number, dimensions = 8): number[] => Array.from({ length: dimensions }, (_, index) => ((seed * 31 + index * 7) % 64) / 32 - 1);

export function runEmbeddingCacheContract(subject: () => { store: Store }): void {
  it('gives back stored vectors in key order, undefined for keys never stored, and keeps models apart', async () => {
    const cache = subject().store.embeddings;
    await cache.put('route-a/model-1', [
      { key: 'k1', vector: vectorOf(1) },
      { key: 'k2', vector: vectorOf(2) },
    ]);
    assert.deepEqual(await cache.get('route-a/model-1', ['k2', 'missing', 'k1']), [vectorOf(2), undefined, vectorOf(1)]);
    assert.deepEqual(await cache.get('route-a/model-2', ['k1']), [undefined]);
    assert.deepEqual(await cache.get('route-a/model-1', []), []);
  });

  it('keeps vectors as float32: 0.1 comes back as the nearest float32', async () => {
    const cache = subject().store.embeddings;
    await cache.put('m', [{ key: 'tenth', vector: [0.1, -0.25, 3] }]);
    assert.deepEqual(await cache.get('m', ['tenth']), [[Math.fround(0.1), -0.25, 3]]);
  });

  it('replaces a vector put again under the same key, the last entry winning within one put', async () => {
    const cache = subject().store.embeddings;
    await cache.put('m', [{ key: 'k', vector: vectorOf(3) }]);
    await cache.put('m', [
      { key: 'k', vector: vectorOf(4) },
      { key: 'k', vector: vectorOf(5) },
    ]);
    assert.deepEqual(await cache.get('m', ['k']), [vectorOf(5)]);
  });

  it('stores and reads more entries than one backend batch holds, with long vectors', async () => {
    const cache = subject().store.embeddings;
    const entries = Array.from({ length: 130 }, (_, index) => ({ key: `key-${index}`, vector: vectorOf(index, 1536) }));
    await cache.put('big', entries);
    const keys = entries.map((entry) => entry.key).reverse();
    const vectors = await cache.get('big', keys);
    assert.equal(vectors.length, 130);
    assert.deepEqual(vectors[0], vectorOf(129, 1536));
    assert.deepEqual(vectors[129], vectorOf(0, 1536));
  });

  it('refuses bad input by name and stores nothing', async () => {
    const cache = subject().store.embeddings;
    await rejectsAsInvalid(cache.put('', [{ key: 'k', vector: [1] }]), 'model');
    await rejectsAsInvalid(cache.put('m', [{ key: 'ok', vector: [1] }, { key: '', vector: [1] }]), 'entries[1].key');
    await rejectsAsInvalid(cache.put('m', [{ key: 'k', vector: [] }]), 'entries[0].vector');
    await rejectsAsInvalid(cache.put('m', [{ key: 'k', vector: [1, Number.NaN] }]), 'entries[0].vector');
    await rejectsAsInvalid(cache.get('m', ['ok', 7 as unknown as string]), 'keys[1]');
    assert.deepEqual(await cache.get('m', ['ok']), [undefined]);
  });
}
