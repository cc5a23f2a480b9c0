/**
 * Cosine similarity over one knowledge base's chunk vectors, held as one Float32Array of unit vectors.
 * Up to `exactLimit` chunks every vector is scored. Past it, each vector also has a sign-bit sketch
 * (binary quantisation): the query's sketch ranks all chunks by Hamming distance with a 16-bit
 * popcount table, and only the closest candidates (`rescoreFactor` × topK, at least `minCandidates`)
 * are scored exactly. Scratch buffers are allocated once per index, so a search allocates only its result.
 */

export interface VectorIndexOptions {
  /** Scan every vector exactly up to this many chunks. */
  exactLimit?: number;
  rescoreFactor?: number;
  minCandidates?: number;
}

export interface VectorHits {
  /** Chunk row ids, best first. */
  ids: number[];
  scores: number[];
}

const POPCOUNT16 = (() => {
  const table = new Uint8Array(65536);
  for (let value = 1; value < 65536; value++) table[value] = (value & 1) + table[value >>> 1]!;
  return table;
})();

export class VectorIndex {
  readonly dimensions: number;
  readonly size: number;
  readonly #ids: Float64Array;
  readonly #vectors: Float32Array;
  readonly #exact: boolean;
  readonly #words: number;
  readonly #sketches: Uint32Array;
  readonly #distances: Uint16Array;
  readonly #histogram: Uint32Array;
  readonly #query: Float32Array;
  readonly #querySketch: Uint32Array;
  readonly #rescoreFactor: number;
  readonly #minCandidates: number;
  #candidates: Int32Array;

  /** `vectors` holds `ids.length` vectors of `dimensions` floats back to back; they are normalised in place. */
  constructor(ids: Float64Array, vectors: Float32Array, dimensions: number, options: VectorIndexOptions = {}) {
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
    if (vectors.length !== ids.length * dimensions) throw new RangeError(`expected ${ids.length * dimensions} floats for ${ids.length} vectors of ${dimensions}, got ${vectors.length}`);
    this.dimensions = dimensions;
    this.size = ids.length;
    this.#ids = ids;
    this.#vectors = vectors;
    for (let row = 0; row < this.size; row++) normalise(vectors, row * dimensions, dimensions);
    this.#exact = this.size <= (options.exactLimit ?? 20_000);
    this.#rescoreFactor = options.rescoreFactor ?? 40;
    this.#minCandidates = options.minCandidates ?? 400;
    this.#words = Math.ceil(dimensions / 32);
    this.#query = new Float32Array(dimensions);
    this.#querySketch = new Uint32Array(this.#words);
    this.#sketches = new Uint32Array(this.#exact ? 0 : this.size * this.#words);
    this.#distances = new Uint16Array(this.#exact ? 0 : this.size);
    this.#histogram = new Uint32Array(dimensions + 2);
    this.#candidates = new Int32Array(0);
    if (!this.#exact) for (let row = 0; row < this.size; row++) sketch(vectors, row * dimensions, dimensions, this.#sketches, row * this.#words);
  }

  /** Whether every vector is scored (true) or the sketches pick the candidates first. */
  get exact(): boolean {
    return this.#exact;
  }

  search(query: ArrayLike<number>, topK: number): VectorHits {
    if (query.length !== this.dimensions) {
      throw new RangeError(`the query vector has ${query.length} dimensions but the knowledge base's vectors have ${this.dimensions}; re-ingest it after changing the embeddings route`);
    }
    const unit = this.#query;
    for (let index = 0; index < this.dimensions; index++) unit[index] = query[index]!;
    normalise(unit, 0, this.dimensions);
    const k = Math.min(topK, this.size);
    if (k <= 0) return { ids: [], scores: [] };
    if (this.#exact) return this.#top(k, this.size, undefined);
    return this.#top(k, this.#pickCandidates(Math.min(this.size, Math.max(this.#minCandidates, k * this.#rescoreFactor))), this.#candidates);
  }

  /** Fills #candidates with the `wanted` rows nearest by Hamming distance; returns how many. */
  #pickCandidates(wanted: number): number {
    const words = this.#words;
    sketch(this.#query, 0, this.dimensions, this.#querySketch, 0);
    const histogram = this.#histogram;
    histogram.fill(0);
    const distances = this.#distances;
    const sketches = this.#sketches;
    const querySketch = this.#querySketch;
    for (let row = 0, offset = 0; row < this.size; row++, offset += words) {
      let distance = 0;
      for (let word = 0; word < words; word++) {
        const bits = (sketches[offset + word]! ^ querySketch[word]!) >>> 0;
        distance += POPCOUNT16[bits & 0xffff]! + POPCOUNT16[bits >>> 16]!;
      }
      distances[row] = distance;
      histogram[distance]!++;
    }
    let cut = 0;
    for (let seen = 0; cut < histogram.length; cut++) {
      seen += histogram[cut]!;
      if (seen >= wanted) break;
    }
    if (this.#candidates.length < wanted) this.#candidates = new Int32Array(wanted);
    const candidates = this.#candidates;
    // Rows closer than the cut all fit (fewer than `wanted`); rows at the cut fill what is left, in row order.
    let count = 0;
    for (let row = 0; row < this.size; row++) if (distances[row]! < cut) candidates[count++] = row;
    for (let row = 0; row < this.size && count < wanted; row++) if (distances[row] === cut) candidates[count++] = row;
    return count;
  }

  /** The k best of `count` rows (all rows, or the candidates), scored exactly, kept in a small sorted insertion buffer. */
  #top(k: number, count: number, rows: Int32Array | undefined): VectorHits {
    const bestRows = new Int32Array(k);
    const bestScores = new Float32Array(k).fill(-Infinity);
    const dimensions = this.dimensions;
    const vectors = this.#vectors;
    const unit = this.#query;
    for (let position = 0; position < count; position++) {
      const row = rows === undefined ? position : rows[position]!;
      const offset = row * dimensions;
      let sum = 0;
      for (let index = 0; index < dimensions; index++) sum += vectors[offset + index]! * unit[index]!;
      if (sum <= bestScores[k - 1]!) continue;
      let slot = k - 1;
      while (slot > 0 && bestScores[slot - 1]! < sum) {
        bestScores[slot] = bestScores[slot - 1]!;
        bestRows[slot] = bestRows[slot - 1]!;
        slot--;
      }
      bestScores[slot] = sum;
      bestRows[slot] = row;
    }
    const ids: number[] = [];
    const scores: number[] = [];
    for (let slot = 0; slot < k && bestScores[slot]! > -Infinity; slot++) {
      ids.push(this.#ids[bestRows[slot]!]!);
      scores.push(bestScores[slot]!);
    }
    return { ids, scores };
  }
}

function normalise(vectors: Float32Array, offset: number, dimensions: number): void {
  let norm = 0;
  for (let index = 0; index < dimensions; index++) norm += vectors[offset + index]! * vectors[offset + index]!;
  if (norm === 0) return;
  const scale = 1 / Math.sqrt(norm);
  for (let index = 0; index < dimensions; index++) vectors[offset + index]! *= scale;
}

/** One bit per dimension: set where the component is positive. */
function sketch(vectors: Float32Array, offset: number, dimensions: number, into: Uint32Array, at: number): void {
  for (let word = 0; word * 32 < dimensions; word++) {
    let bits = 0;
    const end = Math.min(32, dimensions - word * 32);
    for (let bit = 0; bit < end; bit++) if (vectors[offset + word * 32 + bit]! > 0) bits |= 1 << bit;
    into[at + word] = bits >>> 0;
  }
}
