/** The knowledge index's tables in the SQLite file and every statement it runs, prepared once per connection. */

import type Database from 'better-sqlite3';
import { knowledgeTokenizer } from './fts5-term-tokens.js';

export const knowledgeSchema = `
CREATE TABLE IF NOT EXISTS kb_documents (
  kb TEXT NOT NULL,
  id TEXT NOT NULL,
  title TEXT,
  content_hash TEXT NOT NULL,
  chunk_count INTEGER NOT NULL,
  ingested_at INTEGER NOT NULL,
  PRIMARY KEY (kb, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kb_chunks (
  id INTEGER PRIMARY KEY,
  kb TEXT NOT NULL,
  document_id TEXT NOT NULL,
  chunk_index INTEGER NOT NULL,
  text TEXT NOT NULL,
  vector BLOB,
  UNIQUE (kb, document_id, chunk_index)
);
CREATE TABLE IF NOT EXISTS kb_generations (
  kb TEXT PRIMARY KEY,
  generation INTEGER NOT NULL
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS kb_chunks_fts USING fts5(kb, title, text, content='', contentless_delete=1, tokenize='${knowledgeTokenizer}');
CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_chunks_vocab USING fts5vocab(main, kb_chunks_fts, row);
`;

export type KnowledgeStatements = ReturnType<typeof prepareKnowledgeStatements>;

export function prepareKnowledgeStatements(db: Database.Database) {
  return {
    hashes: db.prepare('SELECT id, content_hash FROM kb_documents WHERE kb = ?'),
    upsertDocument: db.prepare(
      `INSERT INTO kb_documents (kb, id, title, content_hash, chunk_count, ingested_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (kb, id) DO UPDATE SET title = excluded.title, content_hash = excluded.content_hash, chunk_count = excluded.chunk_count, ingested_at = excluded.ingested_at`,
    ),
    deleteDocument: db.prepare('DELETE FROM kb_documents WHERE kb = ? AND id = ?'),
    insertChunk: db.prepare('INSERT INTO kb_chunks (kb, document_id, chunk_index, text, vector) VALUES (?, ?, ?, ?, ?)'),
    insertFts: db.prepare('INSERT INTO kb_chunks_fts (rowid, kb, title, text) VALUES (?, ?, ?, ?)'),
    chunkIdsOf: db.prepare('SELECT id FROM kb_chunks WHERE kb = ? AND document_id = ?'),
    deleteFts: db.prepare('DELETE FROM kb_chunks_fts WHERE rowid = ?'),
    deleteChunks: db.prepare('DELETE FROM kb_chunks WHERE kb = ? AND document_id = ?'),
    // Weights: the kb column only filters (0), a title match counts twice a body match.
    searchFts: db.prepare('SELECT rowid FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ? ORDER BY bm25(kb_chunks_fts, 0.0, 2.0, 1.0) LIMIT ?').pluck(),
    // Negated: FTS5's bm25() is lower-is-better; a term's postings keep its share as higher-is-better.
    termPostings: db.prepare('SELECT rowid, -bm25(kb_chunks_fts, 0.0, 2.0, 1.0) FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ?').raw(),
    maxChunkId: db.prepare('SELECT max(id) FROM kb_chunks').pluck(),
    chunkIdsOfKb: db.prepare('SELECT id FROM kb_chunks WHERE kb = ?').pluck(),
    commonTokens: db.prepare('SELECT term, doc FROM temp.kb_chunks_vocab WHERE doc >= ? ORDER BY doc DESC').raw(),
    termTop: db.prepare('SELECT rowid, -bm25(kb_chunks_fts, 0.0, 2.0, 1.0) FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ? ORDER BY bm25(kb_chunks_fts, 0.0, 2.0, 1.0), rowid LIMIT ?').raw(),
    countFts: db.prepare('SELECT count(*) FROM (SELECT rowid FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ? LIMIT ?)').pluck(),
    chunkCount: db.prepare('SELECT count(*) FROM kb_chunks WHERE kb = ?').pluck(),
    allChunksCount: db.prepare('SELECT count(*) FROM kb_chunks').pluck(),
    vectorShape: db.prepare('SELECT count(*) AS count, max(length(vector)) AS bytes FROM kb_chunks WHERE kb = ? AND vector IS NOT NULL'),
    vectors: db.prepare('SELECT id, vector FROM kb_chunks WHERE kb = ? AND vector IS NOT NULL ORDER BY id'),
    chunk: db.prepare('SELECT c.document_id, c.chunk_index, c.text, d.title FROM kb_chunks c JOIN kb_documents d ON d.kb = c.kb AND d.id = c.document_id WHERE c.id = ?'),
    summaries: db.prepare(
      `SELECT d.kb AS kb, count(*) AS documents, sum(d.chunk_count) AS chunks,
              (SELECT max(length(vector)) FROM kb_chunks c WHERE c.kb = d.kb) AS bytes
       FROM kb_documents d GROUP BY d.kb ORDER BY d.kb`,
    ),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    bumpGeneration: db.prepare('INSERT INTO kb_generations (kb, generation) VALUES (?, 1) ON CONFLICT (kb) DO UPDATE SET generation = generation + 1'),
    generations: db.prepare('SELECT kb, generation FROM kb_generations').raw(),
  };
}
