/**
 * Cosine similarity over one knowledge base's chunk vectors, held as one Float32Array of unit vectors.
 * Up to `exactLimit` chunks every vector is scored. Past it, each vector also has a 2-bit code per
 * dimension (four levels, Lloyd-Max for a normal spread of components; one byte per 4 dimensions).
 * A query is not quantised: for each byte it gets a table of the 256 values Σ q_j · level_j, so a
 * chunk's approximate score is one table look-up per 4 dimensions instead of 4 multiply-adds. Only the best candidates
 * by that score (`rescoreFactor` × topK, at least `minCandidates`) are scored exactly. The codes are also
 * split into a coarse partition (IVF, `coarse-partition.ts`, built when the index is): a search scores the
 * query against the lists' centroids and reads only the codes of the `probes` nearest lists, stored together.
 * Scratch buffers are allocated once per index, so a search allocates only its result and the pick of its
 * probed lists (a few arrays of `probes` entries), nothing per code read.
 */

import { BestScores } from './best-scores.js';
import { buildCoarsePartition } from './coarse-partition.js';

export interface VectorIndexOptions {
  /** Scan every vector exactly up to this many chunks. */
  exactLimit?: number;
  rescoreFactor?: number;
  minCandidates?: number;
  /** Lists of the coarse partition past the exact limit (default √chunks; 1 scans every code, as before the partition). */
  lists?: number;
  /** Lists a search reads the codes of (default a quarter of them, at least one); `lists` reads them all. */
  probes?: number;
}

export interface VectorHits {
  /** Chunk row ids, best first. */
  ids: number[];
  scores: number[];
}

/** Approximate scores are binned this finely to find the candidates' cut without sorting. */
const BINS = 4096;

const isLittleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export class VectorIndex {
  readonly dimensions: number;
  readonly size: number;
  readonly #ids: Float64Array;
  readonly #vectors: Float32Array;
  readonly #exact: boolean;
  readonly #blocks: number;
  readonly #codes: Uint8Array;
  /** The same codes as little-endian 32-bit words, when each row is a whole number of them. */
  readonly #codeWords: Uint32Array | undefined;
  readonly #bins: Uint16Array;
  readonly #histogram: Uint32Array;
  readonly #query: Float32Array;
  readonly #tables: Float32Array;
  readonly #levels: Float32Array;
  readonly #rescoreFactor: number;
  readonly #minCandidates: number;
  readonly #lists: number;
  readonly #probes: number;
  readonly #centroids: Float32Array;
  /** Codes are stored list by list: position p holds row #positionRow[p]; list l is positions #listStart[l] up to #listStart[l + 1]. */
  readonly #listStart: Int32Array;
  readonly #positionRow: Int32Array;
  readonly #probed: Int32Array;
  #candidates: Int32Array;
  /** Build time of the partition, for the bench: it is paid at every load. */
  readonly partitionMs: number;

  /** `vectors` holds `ids.length` vectors of `dimensions` floats back to back; they are normalised in place. */
  constructor(ids: Float64Array, vectors: Float32Array, dimensions: number, options: VectorIndexOptions = {}) {
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
    if (vectors.length !== ids.length * dimensions) throw new RangeError(`expected ${ids.length * dimensions} floats for ${ids.length} vectors of ${dimensions}, got ${vectors.length}`);
    this.dimensions = dimensions;
    this.size = ids.length;
    this.#ids = ids;
    this.#vectors = vectors;
    for (let row = 0; row < this.size; row++) normalise(vectors, row * dimensions, dimensions);
    this.#exact = this.size <= (options.exactLimit ?? 10_000);
    this.#rescoreFactor = options.rescoreFactor ?? 40;
    // 2,000 exact rescorings cost about 0.5 ms at 256 dimensions, a tenth of the scan, and lift recall@5 at
    // 100,000 chunks from 55 % (400) to about 80 %: the 2-bit scores order the top few poorly, not the top thousands.
    this.#minCandidates = options.minCandidates ?? 2000;
    this.#blocks = Math.ceil(dimensions / 4);
    this.#query = new Float32Array(dimensions);
    this.#tables = new Float32Array(this.#exact ? 0 : this.#blocks * 256);
    this.#codes = new Uint8Array(this.#exact ? 0 : this.size * this.#blocks);
    this.#codeWords = this.#blocks % 4 === 0 && isLittleEndian ? new Uint32Array(this.#codes.buffer, 0, this.#codes.length / 4) : undefined;
    this.#bins = new Uint16Array(this.#exact ? 0 : this.size);
    this.#histogram = new Uint32Array(BINS);
    this.#candidates = new Int32Array(0);
    // Unit vectors: components spread about 1/√d around 0; the levels and cuts are Lloyd-Max's for a normal spread.
    const sigma = 1 / Math.sqrt(dimensions);
    this.#levels = Float32Array.from([-1.51 * sigma, -0.4528 * sigma, 0.4528 * sigma, 1.51 * sigma]);
    if (options.lists !== undefined && !(Number.isInteger(options.lists) && options.lists >= 1)) throw new RangeError(`lists must be a positive integer, got ${options.lists}`);
    if (options.probes !== undefined && !(Number.isInteger(options.probes) && options.probes >= 1)) throw new RangeError(`probes must be a positive integer, got ${options.probes}`);
    const started = performance.now();
    this.#lists = this.#exact ? 1 : Math.min(this.size, options.lists ?? Math.max(1, Math.round(Math.sqrt(this.size))));
    // A quarter: at 100,000 chunks (316 lists) recall@5 is 81-82 % against 80 % reading every code (fewer codes, so the
    // same 2,000 rescored candidates are a larger share of them), for under half the CPU; a sixth dropped to 79.6 %.
    this.#probes = Math.min(this.#lists, options.probes ?? Math.max(1, Math.ceil(this.#lists / 4)));
    if (this.#lists > 1) {
      const partition = buildCoarsePartition(vectors, this.size, dimensions, { lists: this.#lists });
      this.#centroids = partition.centroids;
      this.#listStart = partition.listStart;
      this.#positionRow = partition.rows;
    } else {
      this.#centroids = new Float32Array(0);
      this.#listStart = Int32Array.of(0, this.#exact ? 0 : this.size);
      this.#positionRow = Int32Array.from({ length: this.#exact ? 0 : this.size }, (_, row) => row);
    }
    this.#probed = new Int32Array(this.#lists);
    if (!this.#exact) {
      for (let position = 0; position < this.size; position++) levelCode(vectors, this.#positionRow[position]! * dimensions, dimensions, 0.9816 * sigma, this.#codes, position * this.#blocks);
    }
    this.partitionMs = performance.now() - started;
  }

  /** How many lists the codes are split into (1 when every code is read), how many a search reads, and the lists' rows (the index's own arrays: read only). */
  get partition(): { lists: number; probes: number; listStart: Int32Array; rows: Int32Array } {
    return { lists: this.#lists, probes: this.#probes, listStart: this.#listStart, rows: this.#positionRow };
  }

  /** Whether every vector is scored (true) or the sketches pick the candidates first. */
  get exact(): boolean {
    return this.#exact;
  }

  /** `probes` overrides the index's count of lists read (1 up to all of them), for measuring recall against cost. */
  search(query: ArrayLike<number>, topK: number, probes: number = this.#probes): VectorHits {
    if (!(Number.isInteger(probes) && probes >= 1)) throw new RangeError(`probes must be a positive integer, got ${probes}`);
    if (query.length !== this.dimensions) {
      throw new RangeError(`the query vector has ${query.length} dimensions but the knowledge base's vectors have ${this.dimensions}; re-ingest it after changing the embeddings route`);
    }
    const unit = this.#query;
    for (let index = 0; index < this.dimensions; index++) unit[index] = query[index]!;
    normalise(unit, 0, this.dimensions);
    const k = Math.min(topK, this.size);
    if (k <= 0) return { ids: [], scores: [] };
    if (this.#exact) return this.#top(k, this.size, undefined);
    const probed = this.#probeLists(Math.min(probes, this.#lists));
    let scanned = 0;
    for (let probe = 0; probe < probed; probe++) scanned += this.#listStart[this.#probed[probe]! + 1]! - this.#listStart[this.#probed[probe]!]!;
    return this.#top(k, this.#pickCandidates(Math.min(scanned, Math.max(this.#minCandidates, k * this.#rescoreFactor)), probed), this.#candidates);
  }

  /** Fills #probed with the lists of the nearest centroids, in list order; returns how many. */
  #probeLists(probes: number): number {
    const lists = this.#lists;
    const probed = this.#probed;
    if (probes === lists) {
      for (let list = 0; list < lists; list++) probed[list] = list;
      return probes;
    }
    // The `probes` best centroids by dot product (equal scores: the lower list first); a few hundred offers a search.
    const best = new BestScores(probes);
    const centroids = this.#centroids;
    const unit = this.#query;
    const dimensions = this.dimensions;
    for (let list = 0, at = 0; list < lists; list++, at += dimensions) {
      let score = 0;
      for (let index = 0; index < dimensions; index++) score += centroids[at + index]! * unit[index]!;
      best.offer(list, score);
    }
    const { ids } = best.result();
    for (let probe = 0; probe < ids.length; probe++) probed[probe] = ids[probe]!;
    // Lists in ascending order, so positions are read in storage order.
    probed.subarray(0, ids.length).sort();
    return ids.length;
  }

  /**
   * Fills #candidates with the `wanted` rows of the best approximate scores among the probed lists' codes; returns
   * how many. The rows come in ascending order above the cut, then the lowest rows of the cut's bin: the same
   * candidates, in the same order, whatever the partition, when every list is probed.
   */
  #pickCandidates(wanted: number, probes: number): number {
    const blocks = this.#blocks;
    const tables = this.#tables;
    const unit = this.#query;
    // Table b holds, for every code byte of dimensions 4b..4b+3, the query's sum with those levels.
    const levels = this.#levels;
    let range = 0;
    for (let block = 0; block < blocks; block++) {
      const base = block * 256;
      let reach = 0;
      for (let pattern = 0; pattern < 256; pattern++) {
        let value = 0;
        for (let slot = 0; slot < 4; slot++) {
          const dimension = block * 4 + slot;
          if (dimension < this.dimensions) value += unit[dimension]! * levels[(pattern >>> (2 * slot)) & 3]!;
        }
        tables[base + pattern] = value;
        if (value > reach) reach = value;
        if (-value > reach) reach = -value;
      }
      range += reach;
    }
    // Every approximate score lies in [-range, range], the sum of each table's largest magnitude: bin it, count the bins, cut from the top.
    const histogram = this.#histogram;
    histogram.fill(0);
    const bins = this.#bins;
    const codes = this.#codes;
    const scale = range === 0 ? 0 : (BINS - 1) / (2 * range);
    // Four codes per read when rows are whole 32-bit words (256 dimensions: 16 reads instead of 64).
    const words = this.#codeWords;
    const wordsPerRow = blocks >>> 2;
    const listStart = this.#listStart;
    const probed = this.#probed;
    for (let probe = 0; probe < probes; probe++) {
      const end = listStart[probed[probe]! + 1]!;
      for (let position = listStart[probed[probe]!]!, offset = position * blocks; position < end; position++, offset += blocks) {
        let score = 0;
        if (words !== undefined) {
          for (let word = 0, at = position * wordsPerRow, base = 0; word < wordsPerRow; word++, base += 1024) {
            const four = words[at + word]!;
            score += tables[base + (four & 255)]! + tables[base + 256 + ((four >>> 8) & 255)]! + tables[base + 512 + ((four >>> 16) & 255)]! + tables[base + 768 + (four >>> 24)]!;
          }
        } else {
          for (let block = 0, base = 0; block < blocks; block++, base += 256) score += tables[base + codes[offset + block]!]!;
        }
        const bin = Math.min(BINS - 1, Math.max(0, Math.floor((score + range) * scale)));
        bins[position] = bin;
        histogram[bin]!++;
      }
    }
    let cut = BINS - 1;
    let above = 0;
    for (let seen = 0; cut > 0; cut--) {
      if (seen + histogram[cut]! >= wanted) break;
      seen += histogram[cut]!;
      above = seen;
    }
    // The cut's whole bin is gathered after the rows above it, so that the lowest rows of it can be kept.
    const needed = above + histogram[cut]!;
    if (this.#candidates.length < needed) this.#candidates = new Int32Array(needed);
    const candidates = this.#candidates;
    const rowOf = this.#positionRow;
    let count = 0;
    let tied = above;
    for (let probe = 0; probe < probes; probe++) {
      const end = listStart[probed[probe]! + 1]!;
      for (let position = listStart[probed[probe]!]!; position < end; position++) {
        const bin = bins[position]!;
        if (bin > cut) candidates[count++] = rowOf[position]!;
        else if (bin === cut) candidates[tied++] = rowOf[position]!;
      }
    }
    // One list holds every row in order already; otherwise each part is put in row order (no allocation: sorts in place).
    if (this.#lists > 1) {
      candidates.subarray(0, above).sort();
      candidates.subarray(above, tied).sort();
    }
    return Math.min(wanted, tied);
  }

  /** The k best of `count` rows (all rows, or the candidates), scored exactly, kept in a small sorted insertion buffer. */
  #top(k: number, count: number, rows: Int32Array | undefined): VectorHits {
    const best = new BestScores(k);
    const dimensions = this.dimensions;
    const vectors = this.#vectors;
    const unit = this.#query;
    for (let position = 0; position < count; position++) {
      const row = rows === undefined ? position : rows[position]!;
      const offset = row * dimensions;
      let sum = 0;
      for (let index = 0; index < dimensions; index++) sum += vectors[offset + index]! * unit[index]!;
      best.offer(row, sum);
    }
    return best.result((row) => this.#ids[row]!);
  }
}

function normalise(vectors: Float32Array, offset: number, dimensions: number): void {
  let norm = 0;
  for (let index = 0; index < dimensions; index++) norm += vectors[offset + index]! * vectors[offset + index]!;
  if (norm === 0) return;
  const scale = 1 / Math.sqrt(norm);
  for (let index = 0; index < dimensions; index++) vectors[offset + index]! *= scale;
}

/** Two bits per dimension, four to a byte: the level a component falls in (cuts at -cut, 0, cut). */
function levelCode(vectors: Float32Array, offset: number, dimensions: number, cut: number, into: Uint8Array, at: number): void {
  for (let block = 0; block * 4 < dimensions; block++) {
    let code = 0;
    for (let slot = 0; slot < 4 && block * 4 + slot < dimensions; slot++) {
      const value = vectors[offset + block * 4 + slot]!;
      const level = value < -cut ? 0 : value < 0 ? 1 : value < cut ? 2 : 3;
      code |= level << (2 * slot);
    }
    into[at + block] = code;
  }
}
