/** The HTTP retriever against real servers on port 0: the contract through a search service, and every way a service can answer wrong. */

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { EmbeddedRetriever } from '../../src/retrieval/embedded-retriever.js';
import { HttpRetriever } from '../../src/retrieval/http-retriever.js';
import { ingestDocuments } from '../../src/retrieval/ingest-documents.js';
import { RetrievalError } from '../../src/retrieval/retrieval-query.js';
import { SqliteKnowledgeIndex } from '../../src/retrieval/sqlite-knowledge-index.js';
import { contractDocuments } from './retrieval-fixtures.js';
import { retrieverContract } from './retriever-contract.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (part: string) => (body += part));
    request.on('end', () => handler(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/search` };
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

retrieverContract('HTTP, against a search service on port 0', async () => {
  // The service is the embedded index behind the documented wire contract: what an OpenSearch adapter would answer.
  const index = SqliteKnowledgeIndex.open(':memory:');
  await ingestDocuments(index, 'catalogue', contractDocuments, { chunking: { maxChars: 400, overlapChars: 60 } });
  const backing = new EmbeddedRetriever({ kb: 'catalogue', index });
  const { server, url } = await listen((request, body, response) => {
    const { kb, query, topK } = JSON.parse(body) as { kb: string; query: string; topK: number };
    assert.equal(request.headers.authorization, 'Bearer s3cret');
    backing.search({ kb, text: query, topK }).then(
      (passages) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ passages })),
      (error: Error) => response.writeHead(400).end(error.message),
    );
  });
  return {
    retriever: new HttpRetriever({ kb: 'catalogue', url, headers: { authorization: 'Bearer s3cret' } }),
    kb: 'catalogue',
    close: async () => {
      await closeServer(server);
      index.close();
    },
  };
});

describe('HTTP retriever', () => {
  const servers: Server[] = [];
  after(() => Promise.all(servers.map(closeServer)));
  async function serve(handler: Handler): Promise<string> {
    const { server, url } = await listen(handler);
    servers.push(server);
    return url;
  }
  const query = { kb: 'catalogue', text: 'boots', topK: 2 };
  const failsWith = (pattern: RegExp) => (error: unknown) => error instanceof RetrievalError && error.code === 'retrieval_failed' && pattern.test(error.message);

  it('posts kb, query and topK as JSON and returns the passages as answered', async () => {
    let seen: unknown;
    const url = await serve((request, body, response) => {
      seen = { method: request.method, type: request.headers['content-type'], body: JSON.parse(body) };
      response.end(JSON.stringify({ passages: [{ documentId: 'd1', chunkId: 'd1#0', text: 'Boots.', score: 2.5, title: 'Boots' }, { documentId: 'd2', chunkId: 'd2#3', text: 'More boots.', score: 1 }] }));
    });
    const passages = await new HttpRetriever({ kb: 'catalogue', url }).search(query);
    assert.deepEqual(seen, { method: 'POST', type: 'application/json', body: { kb: 'catalogue', query: 'boots', topK: 2 } });
    assert.deepEqual(passages, [
      { documentId: 'd1', chunkId: 'd1#0', text: 'Boots.', score: 2.5, title: 'Boots' },
      { documentId: 'd2', chunkId: 'd2#3', text: 'More boots.', score: 1 },
    ]);
  });

  it('names what is wrong with an answer: status, not JSON, a missing or unknown field, too many passages', async () => {
    const cases: [(response: ServerResponse) => void, RegExp][] = [
      [(response) => response.writeHead(503).end('overloaded'), /answered 503: overloaded/],
      [(response) => response.end('<html>'), /not JSON/],
      [(response) => response.end(JSON.stringify({ hits: [] })), /invalid body at passages/],
      [(response) => response.end(JSON.stringify({ passages: [{ documentId: 'd', text: 't', score: 1 }] })), /invalid body at passages\.0\.chunkId/],
      [(response) => response.end(JSON.stringify({ passages: [{ documentId: 'd', chunkId: 'c', text: 't', score: 1, url: 'x' }] })), /invalid body at passages\.0/],
      [(response) => response.end(JSON.stringify({ passages: [1, 2, 3].map((n) => ({ documentId: `d${n}`, chunkId: `c${n}`, text: 't', score: 1 })) })), /3 passages for topK 2/],
    ];
    for (const [answer, pattern] of cases) {
      const url = await serve((_request, _body, response) => answer(response));
      await assert.rejects(new HttpRetriever({ kb: 'catalogue', url }).search(query), failsWith(pattern), String(pattern));
    }
  });

  it('gives up on a service that never answers, after its timeout, saying so', async () => {
    const url = await serve(() => undefined);
    await assert.rejects(new HttpRetriever({ kb: 'catalogue', url, timeoutMs: 50 }).search(query), failsWith(/did not answer within 50 ms/));
  });

  it('stops reading an answer past its size cap', async () => {
    const url = await serve((_request, _body, response) => response.end(JSON.stringify({ passages: [{ documentId: 'd', chunkId: 'c', text: 'x'.repeat(5000), score: 1 }] })));
    await assert.rejects(new HttpRetriever({ kb: 'catalogue', url, maxResponseBytes: 1024 }).search(query), failsWith(/more than 1024 bytes/));
  });

  it('says the service is unreachable, naming the knowledge base and URL', async () => {
    await assert.rejects(new HttpRetriever({ kb: 'catalogue', url: 'http://127.0.0.1:1/search' }).search(query), failsWith(/knowledge base "catalogue" \(http:\/\/127\.0\.0\.1:1\/search\)/));
  });
});
