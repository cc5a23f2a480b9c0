/** The k best (id, score) pairs of a stream, best first, kept in a small sorted insertion buffer: a ranking's top k without sorting all it scored. */

export class BestScores {
  readonly #ids: Float64Array;
  readonly #scores: Float64Array;

  constructor(k: number) {
    this.#ids = new Float64Array(k);
    this.#scores = new Float64Array(k).fill(-Infinity);
  }

  /** Keeps `id` when `score` beats the k-th best so far; an equal score keeps the one offered first. */
  offer(id: number, score: number): void {
    const ids = this.#ids;
    const scores = this.#scores;
    let slot = scores.length - 1;
    if (slot < 0 || score <= scores[slot]!) return;
    while (slot > 0 && scores[slot - 1]! < score) {
      scores[slot] = scores[slot - 1]!;
      ids[slot] = ids[slot - 1]!;
      slot--;
    }
    scores[slot] = score;
    ids[slot] = id;
  }

  /** The kept pairs, best first, each id passed through `idOf` (for example a row's chunk id). */
  result(idOf: (id: number) => number = (id) => id): { ids: number[]; scores: number[] } {
    const ids: number[] = [];
    const scores: number[] = [];
    for (let slot = 0; slot < this.#scores.length && this.#scores[slot]! > -Infinity; slot++) {
      ids.push(idOf(this.#ids[slot]!));
      scores.push(this.#scores[slot]!);
    }
    return { ids, scores };
  }
}
