/** "Did you mean …?": the valid name closest to a misspelt one, by edit distance with transpositions. */

/** Edits (insert, delete, substitute, swap two neighbours) that turn one word into the other. */
function editDistance(from: string, to: string): number {
  const rows = from.length + 1;
  const columns = to.length + 1;
  const distance: number[] = new Array<number>(rows * columns).fill(0);
  for (let row = 0; row < rows; row++) distance[row * columns] = row;
  for (let column = 0; column < columns; column++) distance[column] = column;
  for (let row = 1; row < rows; row++) {
    for (let column = 1; column < columns; column++) {
      const cost = from[row - 1] === to[column - 1] ? 0 : 1;
      let best = Math.min(distance[(row - 1) * columns + column]! + 1, distance[row * columns + column - 1]! + 1, distance[(row - 1) * columns + column - 1]! + cost);
      if (row > 1 && column > 1 && from[row - 1] === to[column - 2] && from[row - 2] === to[column - 1]) best = Math.min(best, distance[(row - 2) * columns + column - 2]! + 1);
      distance[row * columns + column] = best;
    }
  }
  return distance[rows * columns - 1]!;
}

/** The closest candidate within a third of the word's length (at least one edit), if any. */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `; did you mean "x"?` when a candidate is close, else nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const closest = closestName(word, candidates);
  return closest === undefined ? '' : `; did you mean "${closest}"?`;
}
