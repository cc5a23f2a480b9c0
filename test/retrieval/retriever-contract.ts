/** The contract every Retriever runs: the embedded one (BM25 alone and fused with vectors) and the HTTP one against a real server. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RetrievalError } from '../../src/retrieval/retrieval-query.js';
import type { Retriever } from '../../src/retrieval/retriever.js';
import { expectedTopHits } from './retrieval-fixtures.js';

export interface ContractSubject {
  /** A retriever over `contractDocuments` in knowledge base `kb`. */
  retriever: Retriever;
  kb: string;
  close(): Promise<void>;
}

export function retrieverContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`Retriever contract: ${name}`, () => {
    let subject: ContractSubject;
    before(async () => {
      subject = await open();
    });
    after(() => subject.close());

    for (const { query, documentId } of expectedTopHits) {
      it(`ranks "${documentId}" first for "${query}"`, async () => {
        const passages = await subject.retriever.search({ kb: subject.kb, text: query, topK: 3 });
        assert.ok(passages.length > 0, 'no passages');
        assert.equal(passages[0]!.documentId, documentId, JSON.stringify(passages.map((passage) => passage.documentId)));
      });
    }

    it('answers at most topK passages, best first, each complete and citable by a unique chunk id', async () => {
      for (const topK of [1, 2, 5]) {
        const passages = await subject.retriever.search({ kb: subject.kb, text: 'waterproof shoes boots jacket price', topK });
        assert.ok(passages.length >= 1 && passages.length <= topK, `${passages.length} passages for topK ${topK}`);
        for (let index = 1; index < passages.length; index++) assert.ok(passages[index - 1]!.score >= passages[index]!.score, 'scores must not increase');
        assert.equal(new Set(passages.map((passage) => passage.chunkId)).size, passages.length);
        for (const passage of passages) {
          assert.ok(passage.documentId.length > 0 && passage.chunkId.length > 0 && passage.text.length > 0, JSON.stringify(passage));
          assert.ok(Number.isFinite(passage.score));
          assert.equal(typeof passage.title, 'string', 'every contract document has a title');
        }
      }
    });

    it('gives a passage the text and title of the document it cites', async () => {
      const [passage] = await subject.retriever.search({ kb: subject.kb, text: 'espresso machine', topK: 1 });
      assert.equal(passage!.title, 'Barista Espresso Machine');
      assert.match(passage!.text, /Fifteen bar pump espresso machine/);
    });

    it('refuses a bad query by the field, without searching', async () => {
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ text: 'boots', topK: 0 }, /topK/],
        [{ text: 'boots', topK: 101 }, /topK/],
        [{ text: 'boots', topK: 1.5 }, /topK/],
        [{ text: '   ', topK: 3 }, /text/],
        [{ text: 42, topK: 3 }, /text/],
      ];
      for (const [fields, field] of bad) {
        await assert.rejects(
          subject.retriever.search({ kb: subject.kb, ...fields } as never),
          (error: unknown) => error instanceof RetrievalError && error.code === 'invalid_query' && field.test(error.message),
          JSON.stringify(fields),
        );
      }
    });

    it('refuses a query for another knowledge base', async () => {
      await assert.rejects(subject.retriever.search({ kb: `${subject.kb}-other`, text: 'boots', topK: 3 }), (error: unknown) => error instanceof RetrievalError && error.code === 'unknown_kb');
    });

    it('rejects with the signal\'s reason when aborted, and answers the next query as before', async () => {
      const controller = new AbortController();
      controller.abort(new Error('client went away'));
      await assert.rejects(subject.retriever.search({ kb: subject.kb, text: 'boots', topK: 3 }, controller.signal), /client went away/);
      const passages = await subject.retriever.search({ kb: subject.kb, text: 'hiking boots', topK: 3 });
      assert.equal(passages[0]!.documentId, 'trail-boots');
    });
  });
}
