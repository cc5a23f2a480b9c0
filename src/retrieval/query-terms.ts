/** The words of a query that BM25 searches for, and the FTS5 MATCH expression of some of them within one knowledge base. */

// Function words that match nearly every chunk: they only slow BM25 down without changing the order much.
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its me my ' +
    'no not of on or our so than that the their them then there these they this those to too up us was we were what ' +
    'when where which who why will with would you your'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;
const MAX_TERMS = 32;

/** Distinct lower-case words, stopwords dropped unless nothing else is left; at most 32. */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  const lower = query.toLowerCase();
  for (const match of lower.matchAll(WORD)) {
    if (!STOPWORDS.has(match[0])) terms.add(match[0]);
    if (terms.size === MAX_TERMS) break;
  }
  // A query of function words only ("what is it") still searches for them rather than for nothing.
  if (terms.size === 0) for (const match of lower.matchAll(WORD)) if (terms.size < MAX_TERMS) terms.add(match[0]);
  return [...terms];
}

/** Every term is letters and digits only, so quoting is enough to keep FTS5 syntax out of user text. */
export function matchExpression(kb: string, terms: readonly string[]): string {
  return `kb : "${kb}" AND ({title text} : (${terms.map((term) => `"${term}"`).join(' OR ')}))`;
}

/** One term alone within one knowledge base, for its document frequency. */
export function termExpression(kb: string, term: string): string {
  return `kb : "${kb}" AND ({title text} : "${term}")`;
}

/**
 * One term alone in every knowledge base, for its postings: its BM25 share is the same as within one (the
 * kb column weighs 0 and the IDF counts the whole table either way), but FTS5 need not walk the
 * knowledge base's own posting list — every chunk of it — to count that phrase's IDF as well.
 */
export function anyKbTermExpression(term: string): string {
  return `{title text} : "${term}"`;
}
