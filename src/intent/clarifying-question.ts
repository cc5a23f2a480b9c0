/**
 * The "ask" outcome across two turns: the clarifying question offers the likely agents, the session keeps
 * the offer as its last agent (a reserved value no agent name can take), and the next message picks one.
 */

/** Agent names are `[A-Za-z0-9_.-]` (nameSchema), so a value starting with `?` is never an agent. */
const MARKER = '?ask:';

/** What the session stores as its last agent after a clarifying question. */
export function pendingQuestionMarker(choices: readonly string[]): string {
  return `${MARKER}${choices.join(',')}`;
}

/** The agents a pending clarifying question offered, or undefined when the last turn was not one. */
export function pendingChoices(previousAgent: string | undefined): string[] | undefined {
  if (previousAgent === undefined || !previousAgent.startsWith(MARKER)) return undefined;
  return previousAgent.slice(MARKER.length).split(',').filter((name) => name !== '');
}

const ORDINALS: readonly RegExp[] = [/\b(?:first|1st|one|1|former)\b/i, /\b(?:second|2nd|two|2|latter)\b/i, /\b(?:third|3rd|three|3)\b/i, /\b(?:fourth|4th|four|4)\b/i];

/** The choice an answer like "the second one" or "2" names, if it names exactly one. */
export function ordinalChoice(text: string, choices: readonly string[]): string | undefined {
  const named = choices.filter((_, index) => ORDINALS[index]?.test(text) ?? false);
  if (named.length === 1) return named[0];
  if (/\blast\b/i.test(text) && choices.length > 0) return choices[choices.length - 1];
  return undefined;
}

/** The question: the template with `{choices}` replaced by "1) order status… or 2) product advice…". */
export function clarifyingQuestion(template: string, choices: readonly { name: string; description: string }[]): string {
  const offered = choices.map((choice, index) => `${index + 1}) ${choice.description || choice.name}`).join(choices.length > 2 ? ', ' : ' or ');
  return template.replace('{choices}', offered);
}
