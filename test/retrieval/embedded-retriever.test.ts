/** The embedded retriever: the contract with BM25 alone and fused with the simulator's vectors, re-ingest, and a second connection's writes. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startLlmSimulator } from '../../src/lab/llm-simulator.js';
import { ModelRouter } from '../../src/models/model-router.js';
import { routeEmbedder, type Embedder } from '../../src/models/route-embedder.js';
import { EmbeddedRetriever } from '../../src/retrieval/embedded-retriever.js';
import { ingestDocuments } from '../../src/retrieval/ingest-documents.js';
import { SqliteKnowledgeIndex } from '../../src/retrieval/sqlite-knowledge-index.js';
import { poolConfig, routerConfig } from '../models/instance-fixtures.js';
import { contractDocuments } from './retrieval-fixtures.js';
import { retrieverContract } from './retriever-contract.js';

const directory = mkdtempSync(join(tmpdir(), 'switchboard-retrieval-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const chunking = { maxChars: 400, overlapChars: 60 };

async function simulatorEmbedder(): Promise<{ embedder: Embedder; close(): Promise<void> }> {
  const simulator = await startLlmSimulator({ seed: 3 });
  const router = new ModelRouter(routerConfig({ vectors: poolConfig({ instances: [{ url: simulator.url }] }) }, { embed: { pool: 'vectors' } }), (url) => url);
  return {
    embedder: routeEmbedder(router, 'embed'),
    close: async () => {
      await router.close();
      await simulator.close();
    },
  };
}

retrieverContract('embedded, BM25 only', async () => {
  const index = SqliteKnowledgeIndex.open(join(directory, 'bm25.db'));
  await ingestDocuments(index, 'shop', contractDocuments, { chunking });
  return { retriever: new EmbeddedRetriever({ kb: 'shop', index }), kb: 'shop', close: async () => index.close() };
});

retrieverContract('embedded, BM25 and simulator vectors fused by reciprocal rank', async () => {
  const { embedder, close } = await simulatorEmbedder();
  const index = SqliteKnowledgeIndex.open(join(directory, 'hybrid.db'));
  await ingestDocuments(index, 'shop', contractDocuments, { chunking, embedder, embeddingsRoute: 'embed' });
  return {
    retriever: new EmbeddedRetriever({ kb: 'shop', index, embedder }),
    kb: 'shop',
    close: async () => {
      index.close();
      await close();
    },
  };
});

describe('embedded retriever', () => {
  it('finds by meaning what BM25 cannot: a misspelled word that shares no token with the document', async () => {
    const { embedder, close } = await simulatorEmbedder();
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      await ingestDocuments(index, 'shop', contractDocuments, { chunking, embedder, embeddingsRoute: 'embed' });
      const bm25 = new EmbeddedRetriever({ kb: 'shop', index });
      const hybrid = new EmbeddedRetriever({ kb: 'shop', index, embedder });
      // A misspelling: no token in common with "espresso" even after stemming, but most of its trigrams.
      const query = 'expresso';
      assert.deepEqual(await bm25.search({ kb: 'shop', text: query, topK: 3 }), []);
      const [first] = await hybrid.search({ kb: 'shop', text: query, topK: 3 });
      assert.equal(first?.documentId, 'espresso');
      assert.ok(index.vectorsOf('shop')?.exact, 'a small knowledge base is scanned exactly');
      assert.equal(index.vectorsOf('shop')?.dimensions, 256);
    } finally {
      index.close();
      await close();
    }
  });

  it('re-ingesting a document replaces its chunks; unchanged documents are skipped', async () => {
    const index = SqliteKnowledgeIndex.open(join(directory, 'replace.db'));
    try {
      const first = await ingestDocuments(index, 'shop', contractDocuments, { chunking });
      assert.deepEqual(first, { written: contractDocuments.length, unchanged: 0, chunks: contractDocuments.length });
      const retriever = new EmbeddedRetriever({ kb: 'shop', index });
      const changed = { id: 'espresso', title: 'Barista Grinder', text: 'A conical burr coffee grinder with forty settings. '.repeat(12).trim() };
      const second = await ingestDocuments(index, 'shop', [...contractDocuments.filter((document) => document.id !== 'espresso'), changed], { chunking });
      assert.equal(second.written, 1);
      assert.equal(second.unchanged, contractDocuments.length - 1);
      assert.ok(second.chunks > 1, 'the longer text is chunked');
      assert.deepEqual(await retriever.search({ kb: 'shop', text: 'steam wand cappuccino', topK: 3 }), [], 'the old text is gone from the index');
      const passages = await retriever.search({ kb: 'shop', text: 'burr grinder', topK: 10 });
      assert.ok(passages.length === second.chunks && passages.every((passage) => passage.documentId === 'espresso' && passage.title === 'Barista Grinder'));
      assert.deepEqual(new Set(passages.map((passage) => passage.chunkId)), new Set(Array.from({ length: second.chunks }, (_, index) => `espresso#${index}`)));
      assert.deepEqual(index.summaries(), [{ kb: 'shop', documents: contractDocuments.length, chunks: contractDocuments.length - 1 + second.chunks, dimensions: 0 }]);
      assert.equal(index.deleteDocuments('shop', ['espresso', 'missing']), 1);
      assert.deepEqual(await retriever.search({ kb: 'shop', text: 'burr grinder', topK: 10 }), []);
    } finally {
      index.close();
    }
  });

  it('keeps knowledge bases apart in one file', async () => {
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      await ingestDocuments(index, 'shop', contractDocuments, { chunking });
      await ingestDocuments(index, 'staff', [{ id: 'handbook', text: 'Hiking boots for staff are ordered through the intranet.' }], { chunking });
      const shop = await new EmbeddedRetriever({ kb: 'shop', index }).search({ kb: 'shop', text: 'hiking boots intranet', topK: 10 });
      assert.ok(shop.length > 0 && shop.every((passage) => passage.documentId !== 'handbook'));
      const staff = await new EmbeddedRetriever({ kb: 'staff', index }).search({ kb: 'staff', text: 'hiking boots', topK: 10 });
      assert.deepEqual(staff.map((passage) => passage.documentId), ['handbook']);
    } finally {
      index.close();
    }
  });

  it('sees what another connection ingested into the same file, vectors included, without reopening', async () => {
    const { embedder, close } = await simulatorEmbedder();
    const path = join(directory, 'shared.db');
    const serving = SqliteKnowledgeIndex.open(path);
    const ingesting = SqliteKnowledgeIndex.open(path);
    try {
      await ingestDocuments(ingesting, 'shop', contractDocuments.slice(0, 2), { chunking, embedder, embeddingsRoute: 'embed' });
      const retriever = new EmbeddedRetriever({ kb: 'shop', index: serving, embedder });
      assert.equal((await retriever.search({ kb: 'shop', text: 'espresso', topK: 8 })).length, 2, 'two documents, both ranked by vector');
      assert.equal(serving.vectorsOf('shop')?.size, 2);
      await ingestDocuments(ingesting, 'shop', contractDocuments, { chunking, embedder, embeddingsRoute: 'embed' });
      const [first] = await retriever.search({ kb: 'shop', text: 'espresso machine', topK: 3 });
      assert.equal(first?.documentId, 'espresso');
      assert.equal(serving.vectorsOf('shop')?.size, contractDocuments.length);
    } finally {
      serving.close();
      ingesting.close();
      await close();
    }
  });

  it('leaves out of BM25 a word in most chunks of a large knowledge base while a rarer word remains', async () => {
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      const documents = Array.from({ length: 1500 }, (_, number) => ({ id: `item-${number}`, text: `Shop item number ${number}${number === 700 ? ' with a zebra print' : ''}.` }));
      await ingestDocuments(index, 'shop', documents, { chunking });
      const retriever = new EmbeddedRetriever({ kb: 'shop', index });
      assert.deepEqual((await retriever.search({ kb: 'shop', text: 'shop zebra', topK: 10 })).map((passage) => passage.documentId), ['item-700'], '"shop" is in every chunk: only "zebra" is searched');
      assert.equal((await retriever.search({ kb: 'shop', text: 'shop item', topK: 10 })).length, 10, 'when every word is common, the rarest is still searched');
      const small = SqliteKnowledgeIndex.open(':memory:');
      await ingestDocuments(small, 'shop', documents.slice(0, 100), { chunking });
      assert.equal((await new EmbeddedRetriever({ kb: 'shop', index: small }).search({ kb: 'shop', text: 'shop zebra', topK: 10 })).length, 10, 'a small knowledge base keeps every word');
      small.close();
    } finally {
      index.close();
    }
  });

  it('says which knowledge base failed when the embeddings route fails', async () => {
    const index = SqliteKnowledgeIndex.open(':memory:');
    try {
      await ingestDocuments(index, 'shop', contractDocuments, { chunking });
      const failing: Embedder = { embed: async () => Promise.reject(new Error('pool vectors: every instance is down')) };
      await assert.rejects(new EmbeddedRetriever({ kb: 'shop', index, embedder: failing }).search({ kb: 'shop', text: 'boots', topK: 2 }), /knowledge base "shop": embedding the query failed: pool vectors: every instance is down/);
    } finally {
      index.close();
    }
  });
});
