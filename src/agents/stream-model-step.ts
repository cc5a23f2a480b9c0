/** One streamed model call of the loop: text deltas go to the listener as they come, tool-call pieces are joined by index. */

import type { ChatCallRequest, ChatCallResult, ChatStreamPart, ToolCall } from '../chat/chat-types.js';
import type { RelayedStream } from '../models/calling/stream-relay.js';
import type { RouteDecision } from '../models/route-decision.js';
import type { ModelRouter, RouterCallOptions } from '../models/model-router.js';
import type { AgentRunListener, AgentRunInput } from './agent-run-types.js';

export async function streamModelStep(
  router: Pick<ModelRouter, 'stream'>,
  input: AgentRunInput,
  request: ChatCallRequest,
  signal: AbortSignal,
  firstPart: () => void,
  options: RouterCallOptions,
): Promise<{ result: ChatCallResult; decision: RouteDecision }> {
  const { decision, parts } = router.stream(input.route, request, signal, input.hints, options);
  const step = new StepParts(input.listener, firstPart);
  // The first part is pulled (retries and fallbacks happen before it); the rest is pushed where the provider can.
  for await (const part of parts) {
    const written = step.add(part);
    if (written) await written;
    if (step.result) return { result: step.result, decision };
    if (parts.canPush) return { result: await pushRest(parts, step), decision };
  }
  throw new Error('the model stream ended without its finish part');
}

/** A step's parts joined: text to the listener as it comes, tool-call pieces by index, the finish made the result. */
class StepParts {
  readonly #listener: AgentRunListener | undefined;
  readonly #firstPart: () => void;
  #text = '';
  readonly #calls: ToolCall[] = [];
  /** Set by the finish part. */
  result: ChatCallResult | undefined;

  constructor(listener: AgentRunListener | undefined, firstPart: () => void) {
    this.#listener = listener;
    this.#firstPart = firstPart;
  }

  /** One part; the listener's promise while its client is behind (awaited then, and only then). */
  add(part: ChatStreamPart): Promise<void> | void {
    this.#firstPart();
    switch (part.type) {
      case 'text-delta':
        this.#text += part.text;
        return this.#listener?.delta?.(part.text);
      case 'tool-call-delta': {
        const call = (this.#calls[part.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (part.id !== undefined) call.id = part.id;
        if (part.name !== undefined) call.function.name += part.name;
        call.function.arguments += part.argumentsDelta;
        return;
      }
      case 'finish': {
        const result: ChatCallResult = { text: this.#text, finishReason: part.finishReason, usage: part.usage };
        // Indices may skip (a provider numbering blocks, not calls): the holes are dropped, the order kept.
        const made = this.#calls.filter((call) => call !== undefined);
        if (made.length > 0) result.toolCalls = made;
        if (part.model !== undefined) result.model = part.model;
        this.result = result;
        return;
      }
    }
  }
}

/** The parts after the first, pushed by the provider as they are read; settles with the step's result or the stream's error. */
function pushRest(parts: RelayedStream, step: StepParts): Promise<ChatCallResult> {
  return new Promise<ChatCallResult>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const control = parts.pushTo({
      part(part) {
        if (settled) return true;
        let written: Promise<void> | void;
        try {
          written = step.add(part);
        } catch (error) {
          fail(error);
          return false;
        }
        if (step.result) {
          settled = true;
          resolve(step.result);
          return true;
        }
        if (!written) return true;
        written.then(() => control.resume(), fail);
        return false;
      },
      end(error) {
        // Called after the finish part too: only a stream that ended short makes its Error (a stack capture per turn otherwise).
        if (settled) return;
        fail(error ?? new Error('the model stream ended without its finish part'));
      },
    });
  });
}
