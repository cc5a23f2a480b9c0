/** One streamed model call of the loop: text deltas go to the listener as they come, tool-call pieces are joined by index. */

import type { ChatCallRequest, ChatCallResult, ToolCall } from '../chat/chat-types.js';
import type { RouteDecision } from '../models/route-decision.js';
import type { ModelRouter, RouterCallOptions } from '../models/model-router.js';
import type { AgentRunInput } from './agent-run-types.js';

export async function streamModelStep(
  router: Pick<ModelRouter, 'stream'>,
  input: AgentRunInput,
  request: ChatCallRequest,
  signal: AbortSignal,
  firstPart: () => void,
  options: RouterCallOptions,
): Promise<{ result: ChatCallResult; decision: RouteDecision }> {
  const { decision, parts } = router.stream(input.route, request, signal, input.hints, options);
  let text = '';
  const calls: ToolCall[] = [];
  for await (const part of parts) {
    firstPart();
    switch (part.type) {
      case 'text-delta':
        text += part.text;
        await input.listener?.delta?.(part.text);
        break;
      case 'tool-call-delta': {
        const call = (calls[part.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (part.id !== undefined) call.id = part.id;
        if (part.name !== undefined) call.function.name += part.name;
        call.function.arguments += part.argumentsDelta;
        break;
      }
      case 'finish': {
        const result: ChatCallResult = { text, finishReason: part.finishReason, usage: part.usage };
        // Indices may skip (a provider numbering blocks, not calls): the holes are dropped, the order kept.
        const made = calls.filter((call) => call !== undefined);
        if (made.length > 0) result.toolCalls = made;
        if (part.model !== undefined) result.model = part.model;
        return { result, decision };
      }
    }
  }
  throw new Error('the model stream ended without its finish part');
}
