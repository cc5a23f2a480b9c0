/**
 * Which of the offered tools the simulator calls, with which arguments: the tools whose name or description share
 * words with the last user message (name words count double, the first offered wins a tie), arguments built from
 * each tool's schema and the message. Deterministic: the same request and seed give the same calls and ids.
 */

import { identifierWords, matchKeys, textTokens, type MessageWords } from './message-words.js';
import { schemaValue } from './schema-value.js';
import { mix32 } from '../stats/seeded-random.js';
import type { ConversationFacts, SimulatorTool } from './simulator-requests.js';

export interface PlannedToolCall {
  id: string;
  name: string;
  /** The arguments as a JSON text, as OpenAI sends them. */
  arguments: string;
}

/** At most this many calls in one answer, however many tools match. */
const MAX_PARALLEL_CALLS = 4;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A call id in the dialect's style (`call_…`, `toolu_…`): 24 characters drawn from the seed. */
export function toolCallId(prefix: string, seed: number, callIndex: number): string {
  let id = prefix;
  for (let index = 0; index < 24; index++) id += ID_ALPHABET[mix32(seed, callIndex * 32 + index) % ID_ALPHABET.length];
  return id;
}

interface ScoredTool {
  tool: SimulatorTool;
  offered: number;
  matched: Set<string>;
  score: number;
}

function score(tool: SimulatorTool, offered: number, words: MessageWords): ScoredTool {
  const nameKeys = matchKeys(identifierWords(tool.name));
  const descriptionKeys = matchKeys(textTokens(tool.description).flatMap(identifierWords));
  const matched = new Set<string>();
  let points = 0;
  for (const key of nameKeys) {
    if (!words.keys.has(key)) continue;
    matched.add(key);
    points += 2;
  }
  for (const key of descriptionKeys) {
    if (nameKeys.has(key) || !words.keys.has(key)) continue;
    matched.add(key);
    points += 1;
  }
  return { tool, offered, matched, score: points };
}

function planCall(tool: SimulatorTool, words: MessageWords, seed: number, callIndex: number, idPrefix: string): PlannedToolCall {
  const value = schemaValue(tool.schema, { words, seed: mix32(seed, 0x7001 + callIndex) });
  return { id: toolCallId(idPrefix, seed, callIndex), name: tool.name, arguments: JSON.stringify(value) };
}

/**
 * The calls the answer makes; empty when it should answer in text. With `auto`, a conversation that ends in tool
 * results gets text; `required` and a named tool call even then, as the APIs force a call.
 */
export function chooseToolCalls(conversation: ConversationFacts, words: MessageWords, seed: number, idPrefix: string): PlannedToolCall[] {
  const { tools, toolChoice } = conversation;
  if (tools.length === 0 || toolChoice.mode === 'none') return [];
  if (toolChoice.mode === 'named') {
    const tool = tools.find((candidate) => candidate.name === toolChoice.name)!;
    return [planCall(tool, words, seed, 0, idPrefix)];
  }
  if (toolChoice.mode === 'auto' && conversation.toolResults.length > 0) return [];
  const scored = tools.map((tool, offered) => score(tool, offered, words));
  let best = scored[0]!;
  for (const candidate of scored) if (candidate.score > best.score) best = candidate;
  if (best.score === 0) return toolChoice.mode === 'required' ? [planCall(tools[0]!, words, seed, 0, idPrefix)] : [];
  const chosen = [best];
  if (conversation.parallelToolCalls) {
    // Another tool joins only for words of the message that no chosen tool matched: two tools for one ask is one too many.
    const covered = new Set(best.matched);
    for (const candidate of scored) {
      if (chosen.length >= MAX_PARALLEL_CALLS) break;
      if (candidate === best || candidate.score === 0) continue;
      const adds = [...candidate.matched].filter((key) => !covered.has(key));
      if (adds.length === 0) continue;
      for (const key of adds) covered.add(key);
      chosen.push(candidate);
    }
    chosen.sort((left, right) => left.offered - right.offered);
  }
  return chosen.map((candidate, callIndex) => planCall(candidate.tool, words, seed, callIndex, idPrefix));
}
