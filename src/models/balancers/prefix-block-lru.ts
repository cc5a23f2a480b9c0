/**
 * What the router has sent one instance: an LRU of prompt block hashes (prompt-prefix-hasher.ts), standing in
 * for the engine's prefix cache. A Map in insertion order is the LRU list: a touch re-inserts.
 */

export class PrefixBlockLru {
  readonly capacity: number;
  readonly #blocks = new Map<number, true>();

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.#blocks.size;
  }

  /** How many leading blocks of the chain this instance was sent (and still remembers); looks, does not touch. */
  matchedBlocks(hashes: Int32Array, count: number): number {
    let matched = 0;
    while (matched < count && this.#blocks.has(hashes[matched]!)) matched++;
    return matched;
  }

  /**
   * Makes the chain's blocks the most recently used, the first block last: eviction from the old end then
   * drops a prompt's tail before its head, as an engine frees them, so what is left is still a prefix.
   */
  touch(hashes: Int32Array, count: number): void {
    const blocks = this.#blocks;
    for (let index = count - 1; index >= 0; index--) {
      const hash = hashes[index]!;
      blocks.delete(hash);
      blocks.set(hash, true);
    }
    if (blocks.size <= this.capacity) return;
    const oldest = blocks.keys();
    while (blocks.size > this.capacity) blocks.delete(oldest.next().value!);
  }

  clear(): void {
    this.#blocks.clear();
  }
}
