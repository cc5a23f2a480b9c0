/**
 * BM25 over cached posting lists: each query term's chunks with that term's BM25 share, fetched from FTS5
 * once and kept in memory until the next write, then merged in JS for the top k. FTS5's bm25() of an OR
 * query is the sum of each phrase's own share (idf × the saturated frequency, a per-chunk length norm),
 * so adding single-term shares gives the same scores as the query FTS5 would run — without FTS5 walking
 * and scoring every posting of every term again on each search, which is where its time went.
 */

import { BestScores } from './best-scores.js';

/** One term's postings in row-id order, with that term's BM25 share in each chunk (higher is better). */
export interface TermPostings {
  readonly ids: Uint32Array;
  readonly scores: Float64Array;
}

export interface TopChunks {
  ids: number[];
  scores: number[];
}

/** Holds at most this many postings (12 bytes each) over all terms; past it the cache starts over (Zipf: the hot terms come back first). */
const defaultMaxPostings = 4_000_000;

export class TermPostingsCache {
  readonly #terms = new Map<string, TermPostings>();
  /** Per term, its best chunks alone (a one-term query's answer), best first: kept apart from the postings, which a common term need not hold. */
  readonly #tops = new Map<string, TopChunks>();
  readonly maxPostings: number;
  /** 1 at the row ids of the knowledge base's chunks: postings are fetched over the whole table and kept to these. */
  readonly members: Uint8Array;
  #postings = 0;

  constructor(members: Uint8Array, maxPostings = defaultMaxPostings) {
    this.members = members;
    this.maxPostings = maxPostings;
  }

  /** The term's postings when cached. */
  peek(term: string): TermPostings | undefined {
    return this.#terms.get(term);
  }

  /** The term's postings, fetched by `load` (row id and share, in row-id order) when not cached. */
  get(term: string, load: () => TermPostings): TermPostings {
    let postings = this.#terms.get(term);
    if (postings === undefined) {
      postings = load();
      this.#admit(postings.ids.length);
      this.#terms.set(term, postings);
    }
    return postings;
  }

  /** The term's best chunks alone, made by `load` (best first, at most the size it was made for) when not cached; counted against the same cap. */
  top(term: string, load: () => TopChunks): TopChunks {
    let top = this.#tops.get(term);
    if (top === undefined) {
      top = load();
      this.#admit(top.ids.length);
      this.#tops.set(term, top);
    }
    return top;
  }

  /** Makes room for `count` more entries: past the bound the cache starts over (Zipf: the hot terms come back first). */
  #admit(count: number): void {
    if (this.#postings + count > this.maxPostings) this.clear();
    this.#postings += count;
  }

  clear(): void {
    this.#terms.clear();
    this.#tops.clear();
    this.#postings = 0;
  }
}

/** Packs FTS5 rows of [rowid, -bm25] (ascending row id, as FTS5 returns them) into typed arrays, keeping the rows that `members` marks. */
export function postingsOf(rows: readonly (readonly [number, number])[], members: Uint8Array): TermPostings {
  let count = 0;
  for (const row of rows) if (members[row[0]] === 1) count++;
  // Row ids of kb_chunks count up from 1 (max + 1 on insert), far below 2³² for any knowledge base that fits a file.
  const ids = new Uint32Array(count);
  const scores = new Float64Array(count);
  let at = 0;
  for (const row of rows) {
    if (members[row[0]] !== 1) continue;
    ids[at] = row[0];
    scores[at++] = row[1];
  }
  return { ids, scores };
}

/**
 * The `limit` chunks of the highest summed share over `lists`, best first (ties: lower row id first).
 * A k-way merge by row id: each chunk is summed once over the lists that hold it, so there is no
 * per-chunk accumulator to allocate; the best are kept in a small sorted insertion buffer.
 */
export function topChunks(lists: readonly TermPostings[], limit: number): TopChunks {
  const best = new BestScores(limit);
  const positions = new Int32Array(lists.length);
  for (;;) {
    let next = Number.POSITIVE_INFINITY;
    for (let list = 0; list < lists.length; list++) {
      const postings = lists[list]!;
      if (positions[list]! < postings.ids.length) next = Math.min(next, postings.ids[positions[list]!]!);
    }
    if (next === Number.POSITIVE_INFINITY) break;
    let score = 0;
    for (let list = 0; list < lists.length; list++) {
      const postings = lists[list]!;
      const at = positions[list]!;
      if (at < postings.ids.length && postings.ids[at] === next) {
        score += postings.scores[at]!;
        positions[list] = at + 1;
      }
    }
    best.offer(next, score);
  }
  return best.result();
}
