/** BM25 over cached postings: the same ranking as FTS5's own query, and a cache that follows every write, from this connection or another. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { matchExpression } from '../../src/retrieval/query-terms.js';
import { SqliteKnowledgeIndex } from '../../src/retrieval/sqlite-knowledge-index.js';
import { TermPostingsCache, topChunks } from '../../src/retrieval/term-postings.js';
import { SeededRandom } from '../../src/stats/seeded-random.js';

const directory = mkdtempSync(join(tmpdir(), 'switchboard-postings-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const words = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'heath', 'inlet', 'juniper', 'kestrel', 'lagoon'];

/** Chunks of skewed word frequencies and lengths, so idf, term frequency and the length norm all vary. */
function corpus(documents: number, seed: number) {
  const random = new SeededRandom(seed);
  const word = () => words[Math.min(words.length - 1, Math.floor(-Math.log(1 - random.next()) * 3))]!;
  return Array.from({ length: documents }, (_, number) => ({
    id: `doc-${number}`,
    title: `${word()} ${word()}`,
    contentHash: `${seed}-${number}`,
    chunks: Array.from({ length: 1 + (number % 3) }, () => ({ text: Array.from({ length: 5 + Math.floor(random.next() * 40) }, word).join(' ') })),
  }));
}

const queries = [['amber'], ['juniper', 'kestrel'], ['cedar', 'lagoon', 'fjord'], ['amber', 'birch', 'heath', 'inlet'], ['nowhere'], ['kestrel', 'nowhere']];

describe('BM25 over cached postings', () => {
  it('ranks exactly as FTS5 ranks the OR of the terms, title weight and other knowledge bases included', () => {
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      index.replaceDocuments('shop', corpus(300, 1));
      index.replaceDocuments('staff', corpus(200, 2));
      for (const terms of queries) {
        for (const limit of [1, 7, 40]) {
          const expected = index.searchText(matchExpression('shop', terms), limit);
          const ranked = index.rankBm25('shop', terms, limit);
          assert.deepEqual(ranked.ids, expected, `${terms.join(' ')} top ${limit}`);
          assert.ok(ranked.scores.every((score, position) => score > 0 && (position === 0 || score <= ranked.scores[position - 1]!)), 'positive shares, best first');
        }
      }
    } finally {
      index.close();
    }
  });

  it('shares postings between words of one stem and ranks each as FTS5 does', () => {
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      const texts = ['hiking boots', 'a boot for hiking', 'booted and suited', 'boots boots boots', 'rain jacket', 'Café au lait'];
      index.replaceDocuments('shop', texts.map((text, number) => ({ id: `doc-${number}`, contentHash: String(number), chunks: [{ text }] })));
      for (const terms of [['boots'], ['boot'], ['boot', 'boots'], ['hiking', 'booted'], ['cafe'], ['café', 'lait']]) {
        assert.deepEqual(index.rankBm25('shop', terms, 10).ids, index.searchText(matchExpression('shop', terms), 10), terms.join(' '));
      }
      assert.deepEqual(index.rankBm25('shop', ['boots'], 10), index.rankBm25('shop', ['boot'], 10));
      assert.equal(index.rankBm25('shop', ['cafe'], 10).ids.length, 1, 'diacritics fold as the FTS5 tokenizer folds them');
    } finally {
      index.close();
    }
  });

  it('warms a large knowledge base with its common terms, ranked as FTS5 ranks them', () => {
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      // 12,000 chunks: past the warm-up's 10,000; "common" in 1,000 of them (in its range), "rare" in 12, "staple" in all.
      const chunks = Array.from({ length: 12_000 }, (_, number) => ({ text: `item ${number % 12 === 0 ? 'common' : 'plain'} ${number % 1000 === 0 ? 'rare' : ''} staple` }));
      const documents = Array.from({ length: 120 }, (_, number) => ({ id: `doc-${number}`, contentHash: String(number), chunks: chunks.slice(number * 100, number * 100 + 100) }));
      index.replaceDocuments('shop', documents);
      // Alone in the file, then beside another knowledge base: a one-term query (its best chunks alone, warmed for
      // a term in every chunk) ranks as FTS5 does, below and past the size those best chunks are kept for.
      index.warmPostings('shop');
      for (const limit of [1, 20, 512, 600]) assert.deepEqual(index.rankBm25('shop', ['staple'], limit).ids, index.searchText(matchExpression('shop', ['staple']), limit), `staple top ${limit}, alone`);
      index.replaceDocuments('other', [{ id: 'x', contentHash: 'x', chunks: [{ text: 'common rare staple' }] }]);
      index.warmPostings('shop');
      for (const limit of [1, 20, 512, 600]) assert.deepEqual(index.rankBm25('shop', ['staple'], limit).ids, index.searchText(matchExpression('shop', ['staple']), limit), `staple top ${limit}, beside another`);
      assert.equal(index.termFrequency('shop', 'common', 2000), 1000);
      for (const terms of [['common'], ['common', 'rare'], ['staple', 'rare']]) {
        assert.deepEqual(index.rankBm25('shop', terms, 20).ids, index.searchText(matchExpression('shop', terms), 20), terms.join(' '));
      }
    } finally {
      index.close();
    }
  });

  it('counts a word within its knowledge base, alone in the file or beside another that also has it', () => {
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      index.replaceDocuments('shop', [{ id: 'a', contentHash: 'a', chunks: [{ text: 'boots and laces' }, { text: 'boots again' }, { text: 'a jacket' }] }]);
      assert.equal(index.termFrequency('shop', 'boots', 100), 2);
      // Another knowledge base with the same word: the count stays the shop's own, not the file's.
      index.replaceDocuments('outlet', [{ id: 'b', contentHash: 'b', chunks: [{ text: 'boots' }, { text: 'boots' }, { text: 'boots' }] }]);
      assert.equal(index.termFrequency('shop', 'boots', 100), 2);
      assert.equal(index.termFrequency('outlet', 'boots', 100), 3);
      assert.equal(index.termFrequency('shop', 'jacket', 100), 1);
    } finally {
      index.close();
    }
  });

  it('forgets the postings when a document is replaced or deleted through this connection', () => {
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      index.replaceDocuments('shop', corpus(50, 3));
      assert.deepEqual(index.rankBm25('shop', ['zebra'], 5).ids, []);
      index.replaceDocuments('shop', [{ id: 'doc-7', contentHash: 'new', chunks: [{ text: 'a zebra print scarf' }] }]);
      const [zebra] = index.rankBm25('shop', ['zebra'], 5).ids;
      assert.equal(index.chunk(zebra!)?.documentId, 'doc-7');
      assert.equal(index.deleteDocuments('shop', ['doc-7']), 1);
      assert.deepEqual(index.rankBm25('shop', ['zebra'], 5).ids, []);
    } finally {
      index.close();
    }
  });

  it('forgets the postings when another connection writes to the same file', () => {
    const path = join(directory, 'shared.db');
    const serving = SqliteKnowledgeIndex.open(path);
    const ingesting = SqliteKnowledgeIndex.open(path);
    try {
      ingesting.replaceDocuments('shop', corpus(50, 4));
      assert.equal(serving.rankBm25('shop', ['amber'], 40).ids.length, 40);
      assert.deepEqual(serving.rankBm25('shop', ['zephyr'], 3).ids, []);
      ingesting.replaceDocuments('shop', [{ id: 'doc-0', contentHash: 'new', chunks: [{ text: 'amber zephyr' }] }]);
      const [first] = serving.rankBm25('shop', ['zephyr'], 3).ids;
      assert.equal(serving.chunk(first!)?.documentId, 'doc-0');
      assert.deepEqual(serving.rankBm25('shop', ['amber'], 40).ids, serving.searchText(matchExpression('shop', ['amber']), 40), 'the replaced chunks are gone, the new one is in');
    } finally {
      serving.close();
      ingesting.close();
    }
  });
});

describe('the knowledge index caches', () => {
  it('stay when another connection commits outside the knowledge tables (sessions in the same file), and go when it ingests', () => {
    const path = join(directory, 'sessions-beside.db');
    const serving = SqliteKnowledgeIndex.open(path);
    const ingesting = SqliteKnowledgeIndex.open(path);
    const sessions = new Database(path);
    try {
      const withVectors = (seed: number) => corpus(20, seed).map((document) => ({ ...document, chunks: document.chunks.map((chunk, index) => ({ ...chunk, vector: [1, index, seed] })) }));
      ingesting.replaceDocuments('shop', withVectors(5));
      const vectors = serving.vectorsOf('shop');
      assert.ok(vectors);
      sessions.exec('CREATE TABLE IF NOT EXISTS turns (id INTEGER PRIMARY KEY, body TEXT)');
      for (let turn = 0; turn < 3; turn++) sessions.prepare('INSERT INTO turns (body) VALUES (?)').run(`turn ${turn}`);
      assert.equal(serving.vectorsOf('shop'), vectors, 'the same loaded vectors after commits that left the knowledge bases alone');
      ingesting.replaceDocuments('staff', withVectors(6));
      assert.equal(serving.vectorsOf('shop'), vectors, 'another knowledge base changed, not this one');
      assert.deepEqual(serving.rankBm25('shop', ['amber'], 40).ids, serving.searchText(matchExpression('shop', ['amber']), 40), 'BM25 shares count the whole table: they follow the other knowledge base');
      ingesting.replaceDocuments('shop', withVectors(7));
      assert.notEqual(serving.vectorsOf('shop'), vectors, 'reloaded after its own knowledge base changed');
    } finally {
      sessions.close();
      serving.close();
      ingesting.close();
    }
  });
});

describe('topChunks', () => {
  const list = (ids: number[], scores: number[]) => ({ ids: Uint32Array.from(ids), scores: Float64Array.from(scores) });

  it('sums each chunk over the lists that hold it and keeps the best, lower row id first on a tie', () => {
    const top = topChunks([list([1, 4, 9], [1, 2, 0.5]), list([2, 4, 7, 9], [1, 0.5, 3, 0.5]), list([], [])], 3);
    assert.deepEqual(top, { ids: [7, 4, 1], scores: [3, 2.5, 1] });
    assert.deepEqual(topChunks([list([1, 4, 9], [1, 2, 0.5]), list([2, 4, 7, 9], [1, 0.5, 3, 0.5])], 10).ids, [7, 4, 1, 2, 9]);
    assert.deepEqual(topChunks([], 5), { ids: [], scores: [] });
  });
});

describe('TermPostingsCache', () => {
  it('loads a term once and starts over when the postings would pass its bound', () => {
    const cache = new TermPostingsCache(new Uint8Array(0), 5);
    let loads = 0;
    const load = (length: number) => () => {
      loads++;
      return { ids: new Uint32Array(length), scores: new Float64Array(length) };
    };
    cache.get('a', load(3));
    cache.get('a', load(3));
    assert.equal(loads, 1);
    cache.get('b', load(2));
    assert.equal(loads, 2, 'a and b fill the bound exactly');
    cache.get('c', load(2));
    assert.equal(loads, 3);
    cache.get('c', load(2));
    assert.equal(loads, 3, 'c is held after the cache started over');
    cache.get('a', load(3));
    assert.equal(loads, 4, 'a was dropped when c would have passed the bound');
  });

  it("keeps a term's best chunks beside its postings, made once, counted against the same bound", () => {
    const cache = new TermPostingsCache(new Uint8Array(0), 5);
    let tops = 0;
    const top = (length: number) => () => {
      tops++;
      return { ids: Array.from({ length }, (_, id) => id), scores: Array.from({ length }, (_, id) => length - id) };
    };
    cache.get('a', () => ({ ids: new Uint32Array(3), scores: new Float64Array(3) }));
    assert.equal(cache.top('a', top(2)).ids.length, 2);
    assert.equal(cache.top('a', top(2)).ids.length, 2);
    assert.equal(tops, 1, 'made once');
    assert.ok(cache.peek('a'), 'the postings and the best chunks fill the bound exactly');
    cache.top('b', top(1));
    assert.equal(cache.peek('a'), undefined, 'passing the bound starts over, postings and best chunks alike');
    cache.top('a', top(2));
    assert.equal(tops, 3);
  });
});
