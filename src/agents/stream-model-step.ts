/** One streamed model call of the loop: text deltas go to the listener as they come, tool-call pieces are joined by index. */

import type { ChatCallRequest, ChatCallResult, ChatStreamPart, ToolCall } from '../chat/chat-types.js';
import type { PartReceiver, PushControl, RelayedStream } from '../models/calling/stream-relay.js';
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
    new StepReceiver(step, resolve, reject).start(parts);
  });
}

/**
 * The push receiver of one step: a class, not closures made per step, so a part goes from the provider
 * to the listener through methods shared by every turn; a write the client is behind on pauses the stream.
 */
class StepReceiver implements PartReceiver {
  readonly #step: StepParts;
  readonly #resolve: (result: ChatCallResult) => void;
  readonly #reject: (error: unknown) => void;
  #control: PushControl | undefined;
  #settled = false;
  // Bound once: a write the client was behind on resumes the stream, or fails the step.
  readonly #written = (): void => this.#control?.resume();
  readonly #writeFailed = (error: unknown): void => this.#fail(error);

  constructor(step: StepParts, resolve: (result: ChatCallResult) => void, reject: (error: unknown) => void) {
    this.#step = step;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(parts: RelayedStream): void {
    this.#control = parts.pushTo(this);
  }

  part(part: ChatStreamPart): boolean {
    if (this.#settled) return true;
    const step = this.#step;
    let written: Promise<void> | void;
    try {
      written = step.add(part);
    } catch (error) {
      this.#fail(error);
      return false;
    }
    if (step.result) {
      this.#settled = true;
      this.#resolve(step.result);
      return true;
    }
    if (!written) return true;
    written.then(this.#written, this.#writeFailed);
    return false;
  }

  end(error?: unknown): void {
    // Called after the finish part too: only a stream that ended short makes its Error (a stack capture per turn otherwise).
    if (this.#settled) return;
    this.#fail(error ?? new Error('the model stream ended without its finish part'));
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }
}
