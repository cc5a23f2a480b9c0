/** The coarse partition (IVF) of the vector index: every chunk in exactly one list, a search of every list equal to the full scan, and recall on a seeded clustered set. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCoarsePartition } from '../../src/retrieval/coarse-partition.js';
import { VectorIndex } from '../../src/retrieval/vector-index.js';
import { SeededRandom } from '../../src/stats/seeded-random.js';

/** `count` vectors around `clusters` random centres (unit-ish spread), so a partition has structure to find, as real embeddings do. */
function clusteredVectors(count: number, dimensions: number, clusters: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  const centres = Float32Array.from({ length: clusters * dimensions }, () => random.next() * 2 - 1);
  const vectors = new Float32Array(count * dimensions);
  for (let row = 0; row < count; row++) {
    const centre = random.int(clusters);
    for (let index = 0; index < dimensions; index++) vectors[row * dimensions + index] = centres[centre * dimensions + index]! + (random.next() * 2 - 1) * 0.9;
  }
  return vectors;
}

function ids(count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, row) => 1000 + row * 3);
}

describe('coarse partition', () => {
  it('puts every row in exactly one list, rows ascending within each list, deterministically for a seed', () => {
    const dimensions = 32;
    const vectors = clusteredVectors(5000, dimensions, 40, 3);
    const partition = buildCoarsePartition(vectors, 5000, dimensions, { lists: 71, seed: 9 });
    assert.equal(partition.lists, 71);
    assert.equal(partition.listStart.length, 72);
    assert.equal(partition.listStart[0], 0);
    assert.equal(partition.listStart[71], 5000);
    const seen = new Uint8Array(5000);
    for (let list = 0; list < 71; list++) {
      assert.ok(partition.listStart[list + 1]! >= partition.listStart[list]!, `list ${list} has a negative length`);
      for (let at = partition.listStart[list]!; at < partition.listStart[list + 1]!; at++) {
        const row = partition.rows[at]!;
        seen[row]!++;
        if (at > partition.listStart[list]!) assert.ok(row > partition.rows[at - 1]!, `list ${list} is not ascending`);
      }
    }
    assert.ok(seen.every((times) => times === 1), 'a row is missing or in two lists');
    // Non-trivial: more than a handful of lists hold rows.
    let used = 0;
    for (let list = 0; list < 71; list++) if (partition.listStart[list + 1]! > partition.listStart[list]!) used++;
    assert.ok(used > 35, `only ${used} of 71 lists hold rows`);
    const again = buildCoarsePartition(vectors, 5000, dimensions, { lists: 71, seed: 9 });
    assert.deepEqual(again.rows, partition.rows);
    assert.deepEqual(again.centroids, partition.centroids);
  });

  it('puts most rows in the list of their nearest centroid (the two-level assignment is approximate only across top lists)', () => {
    const dimensions = 16;
    const vectors = clusteredVectors(3000, dimensions, 12, 5);
    for (let row = 0; row < 3000; row++) {
      let norm = 0;
      for (let index = 0; index < dimensions; index++) norm += vectors[row * dimensions + index]! ** 2;
      for (let index = 0; index < dimensions; index++) vectors[row * dimensions + index]! /= Math.sqrt(norm);
    }
    const partition = buildCoarsePartition(vectors, 3000, dimensions, { lists: 12, seed: 1 });
    const dot = (row: number, list: number) => {
      let sum = 0;
      for (let index = 0; index < dimensions; index++) sum += vectors[row * dimensions + index]! * partition.centroids[list * dimensions + index]!;
      return sum;
    };
    // A row compares only the leaves of its nearest top list, and the leaves are re-centred after, so not every row; chance would be 1 in 12.
    let nearest = 0;
    for (let list = 0; list < 12; list++) {
      for (let at = partition.listStart[list]!; at < partition.listStart[list + 1]!; at++) {
        const row = partition.rows[at]!;
        let best = 0;
        for (let other = 1; other < 12; other++) if (dot(row, other) > dot(row, best)) best = other;
        if (best === list) nearest++;
      }
    }
    assert.ok(nearest / 3000 > 0.85, `only ${nearest} of 3000 rows are in their nearest list`);
  });

  it('a search that probes every list returns exactly what the unpartitioned scan of every code returns', () => {
    const dimensions = 64;
    const count = 12_000;
    const vectors = clusteredVectors(count, dimensions, 60, 21);
    const partitioned = new VectorIndex(ids(count), vectors.slice(), dimensions, { exactLimit: 1000, lists: 110 });
    const fullScan = new VectorIndex(ids(count), vectors.slice(), dimensions, { exactLimit: 1000, lists: 1 });
    assert.equal(partitioned.partition.lists, 110);
    assert.equal(fullScan.partition.lists, 1);
    const random = new SeededRandom(4);
    let differentWithFewProbes = 0;
    for (let trial = 0; trial < 40; trial++) {
      const query = Float32Array.from({ length: dimensions }, () => random.next() * 2 - 1);
      const expected = fullScan.search(query, 20);
      assert.deepEqual(partitioned.search(query, 20, 110), expected);
      if (JSON.stringify(partitioned.search(query, 20, 2).ids) !== JSON.stringify(expected.ids)) differentWithFewProbes++;
    }
    // The comparison can tell: reading 2 of 110 lists misses some of the full scan's hits.
    assert.ok(differentWithFewProbes > 0);
  });

  it('keeps recall@5 against the exact scan above 0.95 on a seeded clustered set at its default probes (one probe gives 0.72)', () => {
    const dimensions = 64;
    const count = 20_000;
    const vectors = clusteredVectors(count, dimensions, 200, 33);
    const partitioned = new VectorIndex(ids(count), vectors.slice(), dimensions, { exactLimit: 1000 });
    const exact = new VectorIndex(ids(count), vectors.slice(), dimensions, { exactLimit: count });
    assert.equal(partitioned.partition.lists, Math.round(Math.sqrt(count)));
    assert.ok(partitioned.partition.probes <= Math.ceil(partitioned.partition.lists / 4));
    const random = new SeededRandom(8);
    let recalled = 0;
    const trials = 100;
    for (let trial = 0; trial < trials; trial++) {
      // Queries near stored vectors, as a real query is near the passages that answer it.
      const target = random.int(count);
      const query = vectors.slice(target * dimensions, (target + 1) * dimensions).map((value) => value + (random.next() - 0.5) * 0.6);
      const found = new Set(partitioned.search(query, 5).ids);
      for (const id of exact.search(query, 5).ids) if (found.has(id)) recalled++;
    }
    assert.ok(recalled / (trials * 5) > 0.95, `recall@5 ${recalled / (trials * 5)}`);
  });

  it('keeps the exact scan for a small knowledge base and refuses a bad lists or probes count', () => {
    const small = new VectorIndex(ids(50), clusteredVectors(50, 8, 3, 2), 8);
    assert.ok(small.exact);
    assert.equal(small.partition.lists, 1);
    assert.throws(() => new VectorIndex(ids(50), clusteredVectors(50, 8, 3, 2), 8, { lists: 0 }), /lists must be a positive integer, got 0/);
    assert.throws(() => new VectorIndex(ids(50), clusteredVectors(50, 8, 3, 2), 8, { probes: 1.5 }), /probes must be a positive integer, got 1.5/);
    assert.throws(() => small.search(new Float32Array(8), 1, 0), /probes must be a positive integer, got 0/);
  });
});
