/** Chunking: every word lands in a chunk, chunks stay within bounds, and each chunk starts inside the overlap of the one before. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chunkText } from '../../src/retrieval/chunk-text.js';

describe('chunkText', () => {
  it('keeps a short text as one chunk, trimmed of outer whitespace', () => {
    assert.deepEqual(chunkText('  A small text.\n', { maxChars: 100, overlapChars: 10 }), ['A small text.']);
    assert.deepEqual(chunkText(' \n ', { maxChars: 100, overlapChars: 10 }), []);
  });

  it('overlaps consecutive chunks by the words within overlapChars', () => {
    const text = 'one two three four five six seven eight nine ten';
    assert.deepEqual(chunkText(text, { maxChars: 20, overlapChars: 10 }), ['one two three four', 'three four five six', 'five six seven eight', 'eight nine ten']);
  });

  it('covers every word in order, within maxChars unless a word alone is longer, always moving forward', () => {
    const word = fc.stringMatching(/^[a-z]{1,30}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 200 }), fc.integer({ min: 10, max: 200 }), fc.integer({ min: 0, max: 150 }), (drawn, maxChars, overlap) => {
        // Numbered, so each word is unique and the overlap between chunks is unambiguous.
        const words = drawn.map((word, index) => `${word}${index}`);
        const overlapChars = Math.min(overlap, maxChars - 1);
        const chunks = chunkText(words.join(' '), { maxChars, overlapChars });
        for (const chunk of chunks) assert.ok(chunk.length <= maxChars || !chunk.includes(' '), `chunk of ${chunk.length} > ${maxChars}: ${chunk}`);
        // Stitching the chunks back, dropping each one's overlap with the previous, gives the words again.
        const rebuilt: string[] = [];
        let previousWords: string[] = [];
        for (const chunk of chunks) {
          const chunkWords = chunk.split(' ');
          let shared = Math.min(previousWords.length, chunkWords.length);
          while (shared > 0 && previousWords.slice(-shared).join(' ') !== chunkWords.slice(0, shared).join(' ')) shared--;
          rebuilt.push(...chunkWords.slice(shared));
          assert.ok(chunkWords.length > shared, 'a chunk adds at least one word');
          previousWords = chunkWords;
        }
        assert.deepEqual(rebuilt, words);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('refuses options that could loop or make empty chunks, by name', () => {
    assert.throws(() => chunkText('text', { maxChars: 0, overlapChars: 0 }), /maxChars/);
    assert.throws(() => chunkText('text', { maxChars: 10, overlapChars: 10 }), /overlapChars/);
  });
});
