/**
 * The embedded knowledge index: tables in the SQLite store's file (or an in-memory database for stores
 * that keep no file), with an FTS5 index over the chunks for BM25 and each chunk's vector as a blob.
 * It opens its own connection to the file (WAL lets `kb ingest` write while `serve` reads); every
 * statement is prepared once. Vectors are loaded per knowledge base into a VectorIndex, BM25's postings
 * cached, and both dropped when a commit from any connection changed a knowledge base: SQLite's
 * data_version says the file changed (sessions written to the same file change it on every turn), the
 * generation each knowledge write bumps in kb_generations says whether a knowledge base did.
 */

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Fts5TermTokens } from './fts5-term-tokens.js';
import { knowledgeSchema, prepareKnowledgeStatements, type KnowledgeStatements } from './knowledge-index-statements.js';
import { anyKbTermExpression, termExpression } from './query-terms.js';
import { postingsOf, TermPostingsCache, topChunks, type TopChunks } from './term-postings.js';
import { VectorIndex, type VectorIndexOptions } from './vector-index.js';

export interface StoredChunk {
  text: string;
  /** Absent when the knowledge base has no embeddings route. */
  vector?: ArrayLike<number>;
}

export interface IngestedDocument {
  id: string;
  title?: string;
  /** Identifies text, chunking and embeddings route: an unchanged hash means nothing to write. */
  contentHash: string;
  chunks: StoredChunk[];
}

export interface ChunkRow {
  documentId: string;
  chunkIndex: number;
  text: string;
  title: string | null;
}

export interface KnowledgeBaseSummary {
  kb: string;
  documents: number;
  chunks: number;
  /** 0 when its chunks have no vectors. */
  dimensions: number;
}

/** A knowledge base this large gets its common terms' postings fetched at once after a load or a write, not by the searches. */
const warmFromChunks = 10_000;
/** The terms fetched then: in at least this many chunks (a rarer term's postings cost its first search under a millisecond)… */
const warmMinDocuments = 500;
/** …and in at most this share of them (the retriever leaves commoner terms out while rarer remain; those get their best chunks alone, see singleTermTopSize), commonest first… */
const warmMaxShare = 0.1;
/** …up to this many postings: about 0.75 s of FTS5 on this machine when quiet, once per load or write (as loading 100,000 vectors takes). */
const warmMaxPostings = 1_000_000;
/**
 * A one-term query is answered from that term's best chunks alone, kept for this many (a query asks at most
 * maxTopK × 4 candidates). The commoner terms — which the retriever keeps only when a query has nothing
 * rarer, so mostly alone — get theirs fetched with the warm set: FTS5 ranking a term's 45,000 postings with
 * a LIMIT costs about a third of fetching them all, and none of it falls on a search.
 */
const singleTermTopSize = 512;

export class SqliteKnowledgeIndex {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #statements: KnowledgeStatements;
  readonly #vectors = new Map<string, VectorIndex | undefined>();
  /** How loaded vectors are indexed (the bench opens a second index over the same file to compare). */
  readonly #vectorOptions: VectorIndexOptions;
  /** Per knowledge base: its chunk count and each looked-up term's document frequency, dropped with the vectors after a write. */
  readonly #frequencies = new Map<string, { chunks: number; alone: boolean; cap: number; terms: Map<string, number> }>();
  /** Per knowledge base: each searched term's postings with its BM25 share, dropped with the vectors after a write. */
  readonly #postings = new Map<string, TermPostingsCache>();
  readonly #tokens: Fts5TermTokens;
  #dataVersion: number;
  /** Each knowledge base's generation when the caches were last checked (a file of an earlier version has none: 0). */
  #generations = new Map<string, number>();

  private constructor(path: string, db: Database.Database, vectorOptions: VectorIndexOptions) {
    this.path = path;
    this.#vectorOptions = vectorOptions;
    this.#db = db;
    this.#statements = prepareKnowledgeStatements(db);
    this.#tokens = new Fts5TermTokens(db);
    this.#dataVersion = this.#readDataVersion();
    this.#generations = this.#readGenerations();
  }

  /** Opens (and creates) the index in the file at `path`, or in memory for ':memory:'. */
  static open(path: string, options: { vectors?: VectorIndexOptions } = {}): SqliteKnowledgeIndex {
    const inMemory = path === ':memory:';
    let db: Database.Database;
    try {
      if (!inMemory) mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { timeout: 5000 });
    } catch (error) {
      throw new Error(`cannot open the knowledge index at ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      if (!inMemory) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(knowledgeSchema);
      return new SqliteKnowledgeIndex(path, db, options.vectors ?? {});
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** The content hashes of a knowledge base's documents, to skip the unchanged before chunking and embedding. */
  contentHashes(kb: string): Map<string, string> {
    const hashes = new Map<string, string>();
    for (const row of this.#statements.hashes.all(kb) as { id: string; content_hash: string }[]) hashes.set(row.id, row.content_hash);
    return hashes;
  }

  /**
   * Writes the documents in one transaction, each replacing its earlier version (chunks, FTS rows, vectors).
   * Immediate, as every write here: it reads before it writes, and a deferred transaction that does so in
   * WAL mode fails at once with "database is locked" (no busy wait) when another process wrote first —
   * as the workers of `serve --workers N` all ingesting the demo catalogue at start do.
   */
  replaceDocuments(kb: string, documents: readonly IngestedDocument[], now = Date.now()): void {
    const statements = this.#statements;
    this.#db.transaction(() => {
      for (const document of documents) {
        this.#deleteChunks(kb, document.id);
        statements.upsertDocument.run(kb, document.id, document.title ?? null, document.contentHash, document.chunks.length, now);
        for (const [index, chunk] of document.chunks.entries()) {
          const vector = chunk.vector === undefined ? null : Buffer.from(Float32Array.from(chunk.vector).buffer);
          const { lastInsertRowid } = statements.insertChunk.run(kb, document.id, index, chunk.text, vector);
          statements.insertFts.run(lastInsertRowid, kb, document.title ?? '', chunk.text);
        }
      }
      statements.bumpGeneration.run(kb);
    }).immediate();
    this.#forget(kb);
  }

  /** Removes documents by id; returns how many existed. */
  deleteDocuments(kb: string, ids: readonly string[]): number {
    let deleted = 0;
    this.#db.transaction(() => {
      for (const id of ids) {
        this.#deleteChunks(kb, id);
        deleted += this.#statements.deleteDocument.run(kb, id).changes;
      }
      this.#statements.bumpGeneration.run(kb);
    }).immediate();
    this.#forget(kb);
    return deleted;
  }

  #deleteChunks(kb: string, documentId: string): void {
    for (const { id } of this.#statements.chunkIdsOf.all(kb, documentId) as { id: number }[]) this.#statements.deleteFts.run(id);
    this.#statements.deleteChunks.run(kb, documentId);
  }

  /** Chunk ids by BM25, best first, FTS5 ranking the whole MATCH expression (the reference rankBm25 must equal). */
  searchText(match: string, limit: number): number[] {
    return this.#statements.searchFts.all(match, limit) as number[];
  }

  /**
   * The `limit` best chunks of a knowledge base by BM25 over `terms` (an OR of them, as searchText with
   * matchExpression): each term's postings come from FTS5 once and stay cached until the next write.
   */
  rankBm25(kb: string, terms: readonly string[], limit: number): TopChunks {
    const cache = this.#postingsCache(kb);
    if (terms.length === 1 && limit <= singleTermTopSize) {
      const top = this.#singleTermTop(kb, cache, terms[0]!);
      return { ids: top.ids.slice(0, limit), scores: top.scores.slice(0, limit) };
    }
    return topChunks(
      terms.map((term) => cache.get(this.#postingsKey(term), () => this.#fetchPostings(cache, term))),
      limit,
    );
  }

  /**
   * Fetches the postings of a large knowledge base's common terms (see warmMinDocuments), so no search
   * pays for them; done once after a load or a write, by the first search or by the server at start.
   */
  warmPostings(kb: string): void {
    this.#postingsCache(kb);
  }

  #postingsCache(kb: string): TermPostingsCache {
    this.#refresh();
    let cache = this.#postings.get(kb);
    if (!cache) {
      const members = new Uint8Array((this.#statements.maxChunkId.get() as number | null ?? 0) + 1);
      for (const id of this.#statements.chunkIdsOfKb.iterate(kb) as Iterable<number>) members[id] = 1;
      cache = new TermPostingsCache(members);
      this.#postings.set(kb, cache);
      const chunks = this.chunkCount(kb);
      if (chunks >= warmFromChunks) {
        let budget = Math.min(warmMaxPostings, cache.maxPostings / 2);
        const commonFrom = Math.floor(chunks * warmMaxShare);
        for (const [token, documents] of this.#statements.commonTokens.all(warmMinDocuments) as [string, number][]) {
          // A stem that the tokenizer would change again cannot be searched as itself: its first search fetches it.
          if (this.#tokens.tokenOf(token) !== token) continue;
          if (documents > commonFrom) {
            this.#singleTermTop(kb, cache, token);
            continue;
          }
          const postings = cache.get(token, () => this.#fetchPostings(cache!, token));
          if ((budget -= postings.ids.length) <= 0) break;
        }
      }
    }
    return cache;
  }

  /** Postings are shared by the words of one token; a word of no or several tokens (a phrase) keeps its own, under a key no token has. */
  #postingsKey(term: string): string {
    return this.#tokens.tokenOf(term) ?? `"${term}`;
  }

  /** A term's best chunks alone: from its postings when they are cached, else FTS5 ranks them with a LIMIT (ties: lower row id first, as topChunks). */
  #singleTermTop(kb: string, cache: TermPostingsCache, term: string): TopChunks {
    const key = this.#postingsKey(term);
    return cache.top(key, () => {
      const postings = cache.peek(key);
      if (postings !== undefined) return topChunks([postings], singleTermTopSize);
      // Alone in the file, the term is ranked over the whole table (the same shares, see anyKbTermExpression); else within the knowledge base, so the LIMIT counts its chunks only.
      const expression = this.#frequenciesOf(kb).alone ? anyKbTermExpression(term) : termExpression(kb, term);
      const ids: number[] = [];
      const scores: number[] = [];
      for (const [id, score] of this.#statements.termTop.all(expression, singleTermTopSize) as [number, number][]) {
        ids.push(id);
        scores.push(score);
      }
      return { ids, scores };
    });
  }

  #fetchPostings(cache: TermPostingsCache, term: string) {
    return postingsOf(this.#statements.termPostings.all(anyKbTermExpression(term)) as [number, number][], cache.members);
  }

  /** After this connection wrote `kb`. BM25 shares count the whole table (row count, mean length, IDF): every knowledge base's postings go. */
  #forget(kb: string): void {
    this.#vectors.delete(kb);
    // Every knowledge base's counts go: whether one holds the file alone (see termFrequency) changes with any write.
    this.#frequencies.clear();
    this.#postings.clear();
    this.#generations = this.#readGenerations();
  }

  /** Drops what was derived from a knowledge base that another connection changed since the last look. */
  #refresh(): void {
    const version = this.#readDataVersion();
    if (version === this.#dataVersion) return;
    this.#dataVersion = version;
    const generations = this.#readGenerations();
    const changed = [...new Set([...generations.keys(), ...this.#generations.keys()])].filter((kb) => generations.get(kb) !== this.#generations.get(kb));
    this.#generations = generations;
    if (changed.length === 0) return;
    for (const kb of changed) this.#vectors.delete(kb);
    this.#frequencies.clear();
    this.#postings.clear();
  }

  #readGenerations(): Map<string, number> {
    return new Map(this.#statements.generations.all() as [string, number][]);
  }

  /** How many chunks a knowledge base has. */
  chunkCount(kb: string): number {
    return this.#frequenciesOf(kb).chunks;
  }

  /**
   * In how many chunks of a knowledge base `term` occurs, counted up to `cap` (the count stops there,
   * so a word in every chunk costs no more than the cap); cached until the next write.
   */
  termFrequency(kb: string, term: string, cap: number): number {
    const entry = this.#frequenciesOf(kb);
    const postings = this.#postings.get(kb)?.peek(this.#postingsKey(term));
    if (postings !== undefined) return postings.ids.length;
    let documents = entry.terms.get(term);
    if (documents === undefined || (documents >= entry.cap && cap > entry.cap)) {
      // Bounded: a stream of distinct words cannot grow the cache without limit.
      if (entry.terms.size >= 100_000) entry.terms.clear();
      // A knowledge base alone in the file counts the term over the whole table: the same count, without
      // FTS5 walking the knowledge base's own posting list (every chunk of it) for the kb phrase.
      documents = this.#statements.countFts.get(entry.alone ? anyKbTermExpression(term) : termExpression(kb, term), cap) as number;
      entry.terms.set(term, documents);
      entry.cap = Math.max(entry.cap, cap);
    }
    return documents;
  }

  #frequenciesOf(kb: string): { chunks: number; alone: boolean; cap: number; terms: Map<string, number> } {
    this.#refresh();
    let entry = this.#frequencies.get(kb);
    if (!entry) {
      const chunks = this.#statements.chunkCount.get(kb) as number;
      entry = { chunks, alone: chunks === (this.#statements.allChunksCount.get() as number), cap: 0, terms: new Map() };
      this.#frequencies.set(kb, entry);
    }
    return entry;
  }

  /** The vector index of a knowledge base, undefined when its chunks have none; reloaded after any commit. */
  vectorsOf(kb: string): VectorIndex | undefined {
    this.#refresh();
    if (this.#vectors.has(kb)) return this.#vectors.get(kb);
    const index = this.#loadVectors(kb);
    this.#vectors.set(kb, index);
    return index;
  }

  #loadVectors(kb: string): VectorIndex | undefined {
    const rows = this.readVectors(kb);
    return rows && new VectorIndex(rows.ids, rows.vectors, rows.dimensions, this.#vectorOptions);
  }

  /** A knowledge base's chunk ids and vectors, back to back, as stored (not normalised). */
  readVectors(kb: string): { ids: Float64Array; vectors: Float32Array; dimensions: number } | undefined {
    const { count, bytes } = this.#statements.vectorShape.get(kb) as { count: number; bytes: number | null };
    if (count === 0 || bytes === null) return undefined;
    const dimensions = bytes / 4;
    const ids = new Float64Array(count);
    const vectors = new Float32Array(count * dimensions);
    let row = 0;
    for (const entry of this.#statements.vectors.iterate(kb) as Iterable<{ id: number; vector: Buffer }>) {
      if (row === count) break;
      if (entry.vector.byteLength !== bytes) throw new Error(`knowledge base "${kb}" holds vectors of different sizes; re-ingest it`);
      ids[row] = entry.id;
      // Byte-wise: a blob's Buffer need not be 4-byte aligned for a Float32Array view.
      new Uint8Array(vectors.buffer, vectors.byteOffset + row * bytes, bytes).set(entry.vector);
      row++;
    }
    return { ids: ids.subarray(0, row), vectors: vectors.subarray(0, row * dimensions), dimensions };
  }

  chunk(id: number): ChunkRow | undefined {
    const row = this.#statements.chunk.get(id) as { document_id: string; chunk_index: number; text: string; title: string | null } | undefined;
    return row && { documentId: row.document_id, chunkIndex: row.chunk_index, text: row.text, title: row.title };
  }

  summaries(): KnowledgeBaseSummary[] {
    return (this.#statements.summaries.all() as { kb: string; documents: number; chunks: number; bytes: number | null }[]).map((row) => ({
      kb: row.kb,
      documents: row.documents,
      chunks: row.chunks,
      dimensions: row.bytes === null ? 0 : row.bytes / 4,
    }));
  }

  #readDataVersion(): number {
    return this.#statements.dataVersion.get() as number;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
