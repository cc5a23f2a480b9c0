/** A coarse partition of unit vectors (IVF): seeded spherical k-means centroids and every row assigned to its nearest list. */

import { SeededRandom } from '../stats/seeded-random.js';

export interface CoarsePartitionOptions {
  /** How many lists (centroids); at most the number of rows. */
  lists: number;
  /** Lloyd iterations over the training sample. */
  iterations?: number;
  /** Rows the centroids are trained on (a seeded sample); every row is then assigned. */
  sampleSize?: number;
  seed?: number;
}

export interface CoarsePartition {
  lists: number;
  /** `lists` unit centroids of `dimensions` floats back to back. */
  centroids: Float32Array;
  /** List l holds rows `rows[listStart[l]] … rows[listStart[l + 1] - 1]`, ascending. */
  listStart: Int32Array;
  rows: Int32Array;
}

/**
 * Two levels, so building stays cheap at load: √lists top centroids are trained on a seeded sample, then
 * each top list's sample rows train its own share of leaf lists, and a row goes to the nearest leaf of its
 * nearest top list — about 2·√lists dot products a row instead of `lists` (100,000 rows, 316 lists: 36, not 316).
 * The leaves are then re-centred on all their rows and searched as one flat set. Deterministic for a seed:
 * the sample, the starting centroids (sample rows) and the order of every sum are fixed; an empty list keeps
 * its previous centroid.
 */
export function buildCoarsePartition(vectors: Float32Array, size: number, dimensions: number, options: CoarsePartitionOptions): CoarsePartition {
  if (!(options.lists >= 1)) throw new RangeError(`lists must be at least 1, got ${options.lists}`);
  const lists = Math.max(1, Math.min(size, Math.floor(options.lists)));
  const random = new SeededRandom(options.seed ?? 0x1f5);
  const iterations = options.iterations ?? 6;
  const sample = sampleRows(size, Math.max(lists, Math.min(size, options.sampleSize ?? lists * 40)), random);
  const tops = Math.max(1, Math.min(lists, Math.round(Math.sqrt(lists))));
  const topCentroids = trainCentroids(vectors, dimensions, sample, tops, iterations);
  // Each top list's sample rows, and its share of the leaves (in proportion to them, at least one).
  const topOfSample = new Int32Array(sample.length);
  const topCounts = new Int32Array(tops);
  for (let index = 0; index < sample.length; index++) topCounts[(topOfSample[index] = nearestList(vectors, sample[index]! * dimensions, topCentroids, tops, dimensions))]!++;
  const leafStart = new Int32Array(tops + 1);
  let remaining = lists;
  let sampleLeft = sample.length;
  for (let top = 0; top < tops; top++) {
    const listsLeft = tops - top - 1;
    const share = topCounts[top] === 0 ? 1 : Math.max(1, Math.min(remaining - listsLeft, Math.round((remaining * topCounts[top]!) / sampleLeft)));
    leafStart[top + 1] = leafStart[top]! + (top === tops - 1 ? remaining : share);
    remaining -= leafStart[top + 1]! - leafStart[top]!;
    sampleLeft -= topCounts[top]!;
  }
  const centroids = new Float32Array(lists * dimensions);
  for (let top = 0; top < tops; top++) {
    const rows = sample.filter((_, index) => topOfSample[index] === top);
    const leaves = leafStart[top + 1]! - leafStart[top]!;
    // A top list with fewer sample rows than leaves: its leaves start at its own centroid (and may stay empty).
    const trained = rows.length >= leaves ? trainCentroids(vectors, dimensions, rows, leaves, iterations) : repeatCentroid(topCentroids, top, leaves, dimensions);
    centroids.set(trained, leafStart[top]! * dimensions);
  }
  const assignment = new Int32Array(size);
  for (let row = 0; row < size; row++) {
    const top = nearestList(vectors, row * dimensions, topCentroids, tops, dimensions);
    const first = leafStart[top]!;
    assignment[row] = first + nearestList(vectors, row * dimensions, centroids.subarray(first * dimensions, leafStart[top + 1]! * dimensions), leafStart[top + 1]! - first, dimensions);
  }
  recentre(vectors, dimensions, assignment, centroids, lists);
  const listStart = new Int32Array(lists + 1);
  for (let row = 0; row < size; row++) listStart[assignment[row]! + 1]!++;
  for (let list = 0; list < lists; list++) listStart[list + 1]! += listStart[list]!;
  // A counting sort by list: rows stay ascending within each list.
  const rows = new Int32Array(size);
  const next = listStart.slice(0, lists);
  for (let row = 0; row < size; row++) rows[next[assignment[row]!]!++] = row;
  return { lists, centroids, listStart, rows };
}

/** Spherical k-means (Lloyd) of `rows`, starting from its first `count` rows. */
function trainCentroids(vectors: Float32Array, dimensions: number, rows: Int32Array, count: number, iterations: number): Float32Array {
  const centroids = new Float32Array(count * dimensions);
  for (let list = 0; list < count; list++) centroids.set(vectors.subarray(rows[list]! * dimensions, (rows[list]! + 1) * dimensions), list * dimensions);
  const assignment = new Int32Array(rows.length);
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let index = 0; index < rows.length; index++) assignment[index] = nearestList(vectors, rows[index]! * dimensions, centroids, count, dimensions);
    recentre(vectors, dimensions, assignment, centroids, count, rows);
  }
  return centroids;
}

/** Each centroid becomes the unit mean of the rows assigned to it (all rows, or `rows`); an empty one is left as it was. */
function recentre(vectors: Float32Array, dimensions: number, assignment: Int32Array, centroids: Float32Array, count: number, rows?: Int32Array): void {
  const sums = new Float64Array(count * dimensions);
  const counts = new Int32Array(count);
  for (let index = 0; index < assignment.length; index++) {
    const list = assignment[index]!;
    counts[list]!++;
    const into = list * dimensions;
    const from = (rows === undefined ? index : rows[index]!) * dimensions;
    for (let dimension = 0; dimension < dimensions; dimension++) sums[into + dimension]! += vectors[from + dimension]!;
  }
  for (let list = 0; list < count; list++) {
    if (counts[list] === 0) continue;
    const at = list * dimensions;
    let norm = 0;
    for (let dimension = 0; dimension < dimensions; dimension++) norm += sums[at + dimension]! * sums[at + dimension]!;
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let dimension = 0; dimension < dimensions; dimension++) centroids[at + dimension] = sums[at + dimension]! * scale;
  }
}

function repeatCentroid(centroids: Float32Array, list: number, times: number, dimensions: number): Float32Array {
  const repeated = new Float32Array(times * dimensions);
  for (let copy = 0; copy < times; copy++) repeated.set(centroids.subarray(list * dimensions, (list + 1) * dimensions), copy * dimensions);
  return repeated;
}

/** `count` distinct rows of `size`, ascending (a partial Fisher-Yates shuffle, then sorted so the scan order is fixed). */
function sampleRows(size: number, count: number, random: SeededRandom): Int32Array {
  const all = new Int32Array(size);
  for (let row = 0; row < size; row++) all[row] = row;
  for (let index = 0; index < count; index++) {
    const pick = index + random.int(size - index);
    const kept = all[pick]!;
    all[pick] = all[index]!;
    all[index] = kept;
  }
  return all.slice(0, count);
}

/** The list whose centroid has the largest dot product with the vector at `offset` (the first of equals). */
export function nearestList(vectors: Float32Array, offset: number, centroids: Float32Array, lists: number, dimensions: number): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let list = 0, at = 0; list < lists; list++, at += dimensions) {
    let first = 0;
    let second = 0;
    let third = 0;
    let fourth = 0;
    let index = 0;
    for (; index + 3 < dimensions; index += 4) {
      first += vectors[offset + index]! * centroids[at + index]!;
      second += vectors[offset + index + 1]! * centroids[at + index + 1]!;
      third += vectors[offset + index + 2]! * centroids[at + index + 2]!;
      fourth += vectors[offset + index + 3]! * centroids[at + index + 3]!;
    }
    for (; index < dimensions; index++) first += vectors[offset + index]! * centroids[at + index]!;
    const score = first + second + (third + fourth);
    if (score > bestScore) {
      bestScore = score;
      best = list;
    }
  }
  return best;
}
