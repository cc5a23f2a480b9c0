/** A labelled intent dataset: JSONL lines of `{"text", "intent"}`, the intent an agent's name, its intent name, or `none`. */

import { outOfScopeLabel } from './intent-classifier.js';

export interface LabelledMessage {
  text: string;
  /** An agent's name, or `none`. */
  label: string;
}

/**
 * Parses the dataset, refusing any bad line by its number and field; an intent name (`order_support`) is
 * read as the agent that serves it. `agents` maps each agent to its intent.
 */
export function parseIntentDataset(content: string, agents: ReadonlyMap<string, string>, source = 'dataset'): LabelledMessage[] {
  const byIntent = new Map([...agents].map(([agent, intent]) => [intent, agent]));
  const messages: LabelledMessage[] = [];
  for (const [index, line] of content.split('\n').entries()) {
    if (line.trim() === '') continue;
    const where = `${source}:${index + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not JSON (${(error as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Error(`${where}: each line must be an object {"text", "intent"}`);
    const { text, intent, ...rest } = row as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new Error(`${where}: unknown field "${extra[0]}" (a line has only "text" and "intent")`);
    if (typeof text !== 'string' || text.trim() === '') throw new Error(`${where}: "text" must be a non-empty string`);
    if (typeof intent !== 'string') throw new Error(`${where}: "intent" must be a string`);
    const label = intent === outOfScopeLabel || agents.has(intent) ? intent : byIntent.get(intent);
    if (label === undefined) throw new Error(`${where}: "intent" is "${intent}", which is no agent or intent of the config (known: ${[...agents.keys(), outOfScopeLabel].join(', ')})`);
    messages.push({ text, label });
  }
  if (messages.length === 0) throw new Error(`${source}: no messages`);
  return messages;
}
