/** Reciprocal rank fusion: one ranking out of several, each item scored Σ 1 / (k + rank), without comparing their raw scores. */

/** The constant of Cormack, Clarke and Büttcher (2009): it damps the weight of the very first ranks. */
export const rrfK = 60;

/** Item ids in fused order with their fused scores, the `limit` best. Ties keep the earlier list's order. */
export function fuseRankings(rankings: readonly (readonly number[])[], limit: number): { ids: number[]; scores: number[] } {
  const scores = new Map<number, number>();
  for (const ranking of rankings) {
    for (let rank = 0; rank < ranking.length; rank++) {
      const id = ranking[rank]!;
      scores.set(id, (scores.get(id) ?? 0) + 1 / (rrfK + rank + 1));
    }
  }
  const ordered = [...scores.entries()].sort((left, right) => right[1] - left[1]).slice(0, limit);
  return { ids: ordered.map((entry) => entry[0]), scores: ordered.map((entry) => entry[1]) };
}
