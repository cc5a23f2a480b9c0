/**
 * The simulated engine's prefix cache: an LRU of prompt blocks keyed by their chained hashes (prompt-blocks.ts),
 * as vLLM's automatic prefix caching keeps them. A Map in insertion order is the LRU list: a touch re-inserts.
 */

export class PrefixCache {
  private readonly blocks = new Map<number, true>();
  evictedTotal = 0;

  constructor(
    readonly blockTokens: number,
    /** The most blocks held, memory allowing. */
    readonly capacityBlocks: number,
  ) {}

  get size(): number {
    return this.blocks.size;
  }

  has(hash: number): boolean {
    return this.blocks.has(hash);
  }

  /** How many leading blocks of the chain are cached; looks, does not touch. At most `maxBlocks`. */
  leadingHits(hashes: readonly number[], maxBlocks: number): number {
    const limit = Math.min(hashes.length, maxBlocks);
    let hits = 0;
    while (hits < limit && this.blocks.has(hashes[hits]!)) hits++;
    return hits;
  }

  /**
   * Makes every block of the chain the most recently used, the first block last: evicting from the old end then
   * drops a prompt's tail before its head, so what is left is still a usable prefix (vLLM frees blocks that way).
   */
  touch(hashes: readonly number[]): void {
    for (let index = hashes.length - 1; index >= 0; index--) {
      const hash = hashes[index]!;
      this.blocks.delete(hash);
      this.blocks.set(hash, true);
    }
  }

  /** Evicts least recently used blocks until at most `limit` (and the capacity) remain. */
  trim(limit: number): void {
    const keep = Math.max(0, Math.min(limit, this.capacityBlocks));
    if (this.blocks.size <= keep) return;
    const oldest = this.blocks.keys();
    while (this.blocks.size > keep) {
      this.blocks.delete(oldest.next().value!);
      this.evictedTotal++;
    }
  }

  clear(): void {
    this.blocks.clear();
  }
}
