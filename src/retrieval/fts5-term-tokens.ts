/**
 * What FTS5's tokenizer makes of a query word (Porter stem, case and diacritics folded), read back from a
 * scratch FTS5 table in the connection's temp schema with the knowledge index's own tokenizer — so
 * cached postings can be keyed by the token FTS5 indexes ("boots" and "boot" share one list), and the
 * vocabulary's common tokens can be fetched before any query names them. Cached per word.
 */

import type Database from 'better-sqlite3';

/** The knowledge index's FTS5 tokenizer, here and in its schema. */
export const knowledgeTokenizer = 'porter unicode61 remove_diacritics 2';

export class Fts5TermTokens {
  readonly #insert: Database.Statement;
  readonly #tokens: Database.Statement;
  readonly #clear: Database.Statement;
  readonly #cache = new Map<string, string | undefined>();

  constructor(db: Database.Database) {
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_term_scratch USING fts5(word, tokenize='${knowledgeTokenizer}');
             CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_term_scratch_tokens USING fts5vocab(temp, kb_term_scratch, instance);`);
    this.#insert = db.prepare('INSERT INTO temp.kb_term_scratch (rowid, word) VALUES (1, ?)');
    this.#tokens = db.prepare('SELECT term FROM temp.kb_term_scratch_tokens').pluck();
    this.#clear = db.prepare('DELETE FROM temp.kb_term_scratch');
  }

  /** The one token FTS5 indexes for `word`; undefined when it makes none or several of it (the word is then searched as a phrase). */
  tokenOf(word: string): string | undefined {
    if (this.#cache.has(word)) return this.#cache.get(word);
    this.#insert.run(word);
    const tokens = this.#tokens.all() as string[];
    this.#clear.run();
    const token = tokens.length === 1 ? tokens[0] : undefined;
    // Bounded: a stream of distinct words cannot grow it without limit.
    if (this.#cache.size >= 100_000) this.#cache.clear();
    this.#cache.set(word, token);
    return token;
  }
}
