/** A small in-memory Retriever for tests: passages ranked by the words they share with the query; every search is kept. */

import type { RetrievalQuery, RetrievedPassage, Retriever } from '../../src/retrieval/retriever.js';

const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9]+/g) ?? []);

export class MemoryRetriever implements Retriever {
  readonly queries: RetrievalQuery[] = [];
  readonly #passages: Omit<RetrievedPassage, 'score'>[];

  constructor(passages: Omit<RetrievedPassage, 'score'>[]) {
    this.#passages = passages;
  }

  async search(query: RetrievalQuery): Promise<RetrievedPassage[]> {
    this.queries.push(query);
    const asked = words(query.text);
    return this.#passages
      .map((passage) => ({ ...passage, score: [...words(passage.text)].filter((word) => asked.has(word)).length }))
      .filter((passage) => passage.score > 0)
      .sort((left, right) => right.score - left.score)
      .slice(0, query.topK);
  }
}
