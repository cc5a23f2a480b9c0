/** The FTS5 MATCH expression of a query: its content words, quoted, OR-ed, within one knowledge base. */

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

/** Undefined when the query has no word to search for. */
export function ftsMatchExpression(kb: string, query: string): string | undefined {
  const terms = new Set<string>();
  for (const match of query.toLowerCase().matchAll(WORD)) {
    if (!STOPWORDS.has(match[0])) terms.add(match[0]);
    if (terms.size === MAX_TERMS) break;
  }
  // A query of function words only ("what is it") still searches for them rather than for nothing.
  if (terms.size === 0) for (const match of query.toLowerCase().matchAll(WORD)) if (terms.size < MAX_TERMS) terms.add(match[0]);
  if (terms.size === 0) return undefined;
  // Every term is letters and digits only, so quoting is enough to keep FTS5 syntax out of user text.
  const alternatives = [...terms].map((term) => `"${term}"`).join(' OR ');
  return `kb : "${kb}" AND ({title text} : (${alternatives}))`;
}
