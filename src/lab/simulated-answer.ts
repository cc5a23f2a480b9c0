/**
 * What a simulated completion says: seeded words (the default), a fixed text (a summary of tool results, or JSON
 * for a response_format), or tool calls. Each answer is a sequence of tokens the engine emits one per step; the
 * plan is made once per request, so streaming a token is a lookup and a string concatenation.
 */

import { messageWords } from './message-words.js';
import { schemaValue } from './schema-value.js';
import { chooseToolCalls, type PlannedToolCall } from './simulated-tool-calls.js';
import { SIMULATED_MARKER, simulatedText, simulatedTokenJson } from './simulated-text.js';
import type { SimulatorFinishReason } from './simulator-metrics.js';
import type { ConversationFacts, ToolResultFact } from './simulator-requests.js';
import type { StreamWriter, WholeAnswer, WholeToolCall } from './simulator-wire-format.js';

export interface SimulatedAnswer {
  /** Tokens of the whole answer; undefined for seeded words, whose length is the simulator's outputTokens. */
  readonly naturalTokens: number | undefined;
  /** How the answer ends when nothing cuts it. */
  readonly finishReason: SimulatorFinishReason;
  /** Writes token `index` (0-based) of the answer. */
  stream(writer: StreamWriter, textSeed: number, index: number): void;
  /** The first `tokens` tokens of the answer. */
  whole(textSeed: number, tokens: number): WholeAnswer;
}

// A completion token: a word of up to 8 letters or 3 digits with its leading spaces, or any one other character.
const PIECE = /\s*(?:\p{L}{1,8}|\p{N}{1,3}|[^\s\p{L}\p{N}])|\s+/gu;

/** Splits a text into the tokens it streams as; joined, they give the text back. */
export function answerPieces(text: string): string[] {
  return text.match(PIECE) ?? [];
}

const NO_TOOL_CALLS: readonly WholeToolCall[] = [];

/** The default: token i is a word drawn from the request's text seed (simulated-text.ts). */
export const seededWordsAnswer: SimulatedAnswer = {
  naturalTokens: undefined,
  finishReason: 'stop',
  stream(writer, textSeed, index) {
    writer.token(simulatedTokenJson(textSeed, index), index === 0);
  },
  whole(textSeed, tokens) {
    return { text: simulatedText(textSeed, tokens), toolCalls: NO_TOOL_CALLS };
  },
};

class FixedTextAnswer implements SimulatedAnswer {
  readonly naturalTokens: number;
  readonly finishReason = 'stop' as const;
  private readonly pieces: string[];
  private readonly piecesJson: string[];

  constructor(text: string) {
    this.pieces = answerPieces(text);
    this.piecesJson = this.pieces.map((piece) => JSON.stringify(piece));
    this.naturalTokens = Math.max(1, this.pieces.length);
  }

  stream(writer: StreamWriter, _textSeed: number, index: number): void {
    writer.token(this.piecesJson[index] ?? '""', index === 0);
  }

  whole(_textSeed: number, tokens: number): WholeAnswer {
    return { text: this.pieces.slice(0, tokens).join(''), toolCalls: NO_TOOL_CALLS };
  }
}

/** One token of a tool-call answer: a call's opening (its name), or a fragment of its arguments. */
interface ToolCallStep {
  call: number;
  /** The fragment as a JSON string literal; undefined for the opening step. */
  fragmentJson: string | undefined;
  fragment: string;
}

class ToolCallsAnswer implements SimulatedAnswer {
  readonly naturalTokens: number;
  readonly finishReason = 'tool_calls' as const;
  private readonly steps: ToolCallStep[] = [];
  private readonly namesJson: string[];

  constructor(private readonly calls: readonly PlannedToolCall[]) {
    this.namesJson = calls.map((call) => JSON.stringify(call.name));
    calls.forEach((call, index) => {
      this.steps.push({ call: index, fragmentJson: undefined, fragment: '' });
      for (const fragment of answerPieces(call.arguments)) this.steps.push({ call: index, fragmentJson: JSON.stringify(fragment), fragment });
    });
    this.naturalTokens = this.steps.length;
  }

  stream(writer: StreamWriter, _textSeed: number, index: number): void {
    const step = this.steps[index]!;
    if (step.fragmentJson === undefined) writer.toolCallStart(step.call, this.calls[step.call]!.id, this.namesJson[step.call]!, index === 0);
    else writer.toolCallArguments(step.call, step.fragmentJson);
  }

  whole(_textSeed: number, tokens: number): WholeAnswer {
    const calls: WholeToolCall[] = [];
    for (let index = 0; index < Math.min(tokens, this.steps.length); index++) {
      const step = this.steps[index]!;
      if (step.fragmentJson === undefined) calls.push({ ...this.calls[step.call]!, arguments: '', complete: false });
      else calls[calls.length - 1]!.arguments += step.fragment;
    }
    for (const call of calls) call.complete = call.arguments === this.calls.find((planned) => planned.id === call.id)!.arguments;
    return { text: null, toolCalls: calls };
  }
}

// Long tool results are quoted up to here, so an answer stays a few hundred tokens.
const QUOTE_LIMIT = 500;

function quote(content: string): string {
  if (content.length <= QUOTE_LIMIT) return content;
  let end = QUOTE_LIMIT;
  const last = content.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${content.slice(0, end)}…`;
}

/** Text that uses the results, so a test can see they reached the model: "According to lookup_order: {…}". */
export function toolResultsText(results: readonly ToolResultFact[]): string {
  const sentences = results.map((result) => (result.isError ? `${result.name} reported an error: ${quote(result.content)}` : `According to ${result.name}: ${quote(result.content)}`));
  return `${SIMULATED_MARKER} ${sentences.join('\n')}`;
}

/**
 * Decides the answer: tool calls when the tools and tool_choice call for them; else JSON for a response_format;
 * else a summary of the tool results the conversation ends with; else seeded words. `idPrefix` styles call ids.
 */
export function planAnswer(conversation: ConversationFacts, textSeed: number, idPrefix: string): SimulatedAnswer {
  const { tools, toolResults, responseFormat } = conversation;
  // The plain request (no tools, no format, no results) is the hot path: it builds nothing.
  if (tools.length === 0 && toolResults.length === 0 && responseFormat === undefined) return seededWordsAnswer;
  const words = messageWords(conversation.lastUserText);
  const calls = chooseToolCalls(conversation, words, textSeed, idPrefix);
  if (calls.length > 0) return new ToolCallsAnswer(calls);
  if (responseFormat !== undefined) {
    const resultsText = toolResults.length > 0 ? toolResultsText(toolResults) : undefined;
    if (responseFormat.kind === 'json_object') return new FixedTextAnswer(JSON.stringify({ answer: resultsText ?? simulatedText(textSeed, 12) }));
    const source = toolResults.length > 0 ? messageWords(`${conversation.lastUserText}\n${toolResults.map((result) => result.content).join('\n')}`) : words;
    return new FixedTextAnswer(JSON.stringify(schemaValue(responseFormat.schema, { words: source, seed: textSeed })));
  }
  if (toolResults.length > 0) return new FixedTextAnswer(toolResultsText(toolResults));
  return seededWordsAnswer;
}
