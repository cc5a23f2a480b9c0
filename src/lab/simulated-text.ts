/** The simulator's deterministic output text: token i of a completion is a word picked by hashing the completion's seed with i. */

import { mix32 } from '../stats/seeded-random.js';

/** The first token of every completion, so nobody mistakes simulated output for a model's. */
export const SIMULATED_MARKER = '[simulated]';

// A token is a short word with its leading space, like a BPE token of English prose.
const WORDS: readonly string[] = [
  ' the', ' a', ' of', ' to', ' and', ' in', ' is', ' that', ' for', ' it', ' with', ' as', ' on', ' this',
  ' model', ' token', ' request', ' answer', ' order', ' price', ' cart', ' sale', ' size', ' colour', ' stock',
  ' delivery', ' store', ' item', ' user', ' session', ' queue', ' batch', ' latency', ' stream', ' server',
  ' can', ' will', ' should', ' might', ' says', ' shows', ' keeps', ' finds', ' sends', ' checks', ' returns',
  ' quickly', ' today', ' again', ' here', ' there', ' now', ' soon', ' only', ' also', ' still',
  ' new', ' small', ' large', ' simple', ' ready', ' free', ' next', ' best',
  ',', '.', ' then', ' so', ' but', ' because',
];

// Pre-escaped once so the streaming hot path concatenates strings instead of calling JSON.stringify per token.
const WORDS_JSON: readonly string[] = WORDS.map((word) => JSON.stringify(word));
const MARKER_JSON = JSON.stringify(SIMULATED_MARKER);

/** Token `index` (0-based) of the completion whose text seed is `textSeed`. */
export function simulatedToken(textSeed: number, index: number): string {
  return index === 0 ? SIMULATED_MARKER : WORDS[mix32(textSeed, index) % WORDS.length]!;
}

/** The same token as a JSON string literal, quotes included. */
export function simulatedTokenJson(textSeed: number, index: number): string {
  return index === 0 ? MARKER_JSON : WORDS_JSON[mix32(textSeed, index) % WORDS.length]!;
}

/** The first `count` tokens of a completion joined into its text. */
export function simulatedText(textSeed: number, count: number): string {
  let text = '';
  for (let index = 0; index < count; index++) text += simulatedToken(textSeed, index);
  return text;
}
