/** The vector index: exact cosine order when small, and the sign-sketch path finding the exact top hits on a larger index. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '../../src/stats/seeded-random.js';
import { VectorIndex } from '../../src/retrieval/vector-index.js';

function randomVectors(count: number, dimensions: number, random: () => number): Float32Array {
  const vectors = new Float32Array(count * dimensions);
  for (let index = 0; index < vectors.length; index++) vectors[index] = random() * 2 - 1;
  return vectors;
}

function exactTop(vectors: Float32Array, dimensions: number, query: Float32Array, k: number): number[] {
  const count = vectors.length / dimensions;
  const norm = (offset: number, source: Float32Array) => Math.sqrt(Array.from(source.subarray(offset, offset + dimensions)).reduce((sum, value) => sum + value * value, 0));
  const queryNorm = norm(0, query);
  const scored = Array.from({ length: count }, (_, row) => {
    let dot = 0;
    for (let index = 0; index < dimensions; index++) dot += vectors[row * dimensions + index]! * query[index]!;
    return { row, score: dot / (norm(row * dimensions, vectors) * queryNorm) };
  });
  return scored.sort((left, right) => right.score - left.score).slice(0, k).map((entry) => entry.row);
}

describe('VectorIndex', () => {
  it('scores a small index exactly: the cosine order, any vector length, ids as given', () => {
    const index = new VectorIndex(Float64Array.from([10, 20, 30]), Float32Array.from([1, 0, 0, 3, 3, 0, 0, 0, 2]), 3);
    assert.ok(index.exact);
    const hits = index.search([3, 1, 0], 3);
    assert.deepEqual(hits.ids, [10, 20, 30]);
    assert.ok(Math.abs(hits.scores[0]! - 3 / Math.sqrt(10)) < 1e-6 && Math.abs(hits.scores[2]!) < 1e-6);
    assert.deepEqual(index.search([0, 0, 1], 1).ids, [30]);
  });

  for (const dimensions of [64, 36]) it(`past the exact limit, finds the exact top hit of near-duplicate queries through the 2-bit codes (${dimensions} dimensions)`, () => {
    const source = new SeededRandom(11);
    const random = () => source.next();
    const count = 3000;
    const vectors = randomVectors(count, dimensions, random);
    const copy = vectors.slice();
    const index = new VectorIndex(Float64Array.from({ length: count }, (_, row) => row), copy, dimensions, { exactLimit: 1000 });
    assert.equal(index.exact, false);
    let found = 0;
    for (let trial = 0; trial < 20; trial++) {
      // A stored vector plus a little noise: its own row must come first, as a real paraphrase would.
      const target = Math.floor(random() * count);
      const query = vectors.slice(target * dimensions, (target + 1) * dimensions).map((value) => value + (random() - 0.5) * 0.2);
      const hits = index.search(query, 5);
      assert.deepEqual(hits.ids[0], exactTop(vectors, dimensions, query, 1)[0]);
      if (hits.ids[0] === target) found++;
    }
    assert.equal(found, 20);
  });

  it('refuses a query of another length, saying to re-ingest', () => {
    const index = new VectorIndex(Float64Array.from([1]), Float32Array.from([1, 0]), 2);
    assert.throws(() => index.search([1, 0, 0], 1), /3 dimensions .* have 2; re-ingest/);
  });
});
