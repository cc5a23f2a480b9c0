/**
 * Where a unit falls in [0, 1) for one experiment or layer: MurmurHash3 (x86, 32 bit) of the
 * salt and the unit's key. Every pod computes the same bucket from the same strings, so
 * assignment needs no shared state; the hash spreads even sequential ids evenly.
 */

function mixBlock(hash: number, block: number): number {
  let k = Math.imul(block, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let h = hash ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3_x86_32 over the UTF-16 code units of `text`, two per 32-bit block. */
export function murmur3(text: string, seed = 0): number {
  let hash = seed | 0;
  const length = text.length;
  let index = 0;
  for (; index + 1 < length; index += 2) hash = mixBlock(hash, text.charCodeAt(index) | (text.charCodeAt(index + 1) << 16));
  if (index < length) {
    let k = Math.imul(text.charCodeAt(index), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    hash ^= Math.imul(k, 0x1b873593);
  }
  hash ^= length * 2;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The unit's bucket in [0, 1) under `salt` (an experiment's or a layer's name). */
export function unitBucket(salt: string, unitKey: string): number {
  return murmur3(`${salt}\u0000${unitKey}`) / 4294967296;
}
