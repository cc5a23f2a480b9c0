/** The words of a user message that the simulator matches tools against and draws argument values from. */

// Words that say nothing about which tool to call or what to pass it.
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from get got had has have how i if in into is it its ' +
    'just let me might my no not of on or our please set should so than that the their them then there these they this ' +
    'those to too tool up us use was we were what when where which who whom whose why will with would you your yours ' +
    'hi hello hey thanks thank want need tell show give know find call function also any some all now yes ok okay sure ' +
    'great good much many very really'
  ).split(' '),
);

/** A word's matching key: lower case and singular, so "Orders" meets "order" and "cities" meets "city". */
export function wordKey(word: string): string {
  const lower = word.toLowerCase();
  if (lower.length > 4 && lower.endsWith('ies')) return `${lower.slice(0, -3)}y`;
  return lower.length > 3 && lower.endsWith('s') && !lower.endsWith('ss') ? lower.slice(0, -1) : lower;
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase());
}

const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}_.'@+-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu;

/** The tokens of a text: letters and digits, with inner dots, dashes, apostrophes and @ kept (e-mails, ids, decimals). */
export function textTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** Splits an identifier into words: snake_case, kebab-case, camelCase and digits. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/** Matching keys of a name or description: its words without stopwords and words under three letters. */
export function matchKeys(words: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const word of words) if (word.length >= 3 && !isStopword(word)) keys.add(wordKey(word));
  return keys;
}

export interface MessageWords {
  readonly text: string;
  /** Words worth matching and passing on, in order, as written. */
  readonly content: readonly string[];
  readonly keys: ReadonlySet<string>;
  /** Tokens that carry a digit (order numbers, amounts, codes), in order. */
  readonly numbers: readonly string[];
  /** Runs of capitalised words that are not stopwords ("New York", "Paris"), in order; those opening a sentence last. */
  readonly properNouns: readonly string[];
}

export function messageWords(text: string): MessageWords {
  const content: string[] = [];
  const numbers: string[] = [];
  const named: string[] = [];
  // A capitalised word that opens a sentence may be any word: such runs come after the others.
  const sentenceOpeners: string[] = [];
  let run: string[] = [];
  let runOpensSentence = false;
  const endRun = (): void => {
    if (run.length > 0) (runOpensSentence ? sentenceOpeners : named).push(run.join(' '));
    run = [];
  };
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    const stop = isStopword(token.replace(/'.*$/, ''));
    if (!stop) content.push(token);
    if (/\p{N}/u.test(token)) numbers.push(token);
    if (!stop && /^\p{Lu}/u.test(token) && !/\p{N}/u.test(token)) {
      if (run.length === 0) runOpensSentence = opensSentence(text, match.index);
      run.push(token);
    } else endRun();
  }
  endRun();
  const keys = new Set<string>();
  for (const word of content) for (const part of identifierWords(word)) if (part.length >= 3 && !isStopword(part)) keys.add(wordKey(part));
  return { text, content, keys, numbers, properNouns: [...named, ...sentenceOpeners] };
}

/** Whether the text before `index` is empty or ends a sentence. */
function opensSentence(text: string, index: number): boolean {
  for (let at = index - 1; at >= 0; at--) {
    const character = text[at]!;
    if (/\s/.test(character)) continue;
    return character === '.' || character === '!' || character === '?';
  }
  return true;
}
