/** call-model: the route answers, whole or streamed through the transport's events; the call is accounted once. */

import { SwitchboardError, isSwitchboardError } from '../../errors.js';
import type { ChatStreamPart } from '../../chat/chat-types.js';
import type { RouteDecision } from '../../models/route-decision.js';
import { recordModelCall } from '../record-model-call.js';
import type { ChatServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { ChatContext, ChatStreamEvents } from './chat-context.js';

export const callModelStage: Stage<ChatContext, ChatServices> = {
  name: 'call-model',
  async run(context, services, span) {
    const tenant = context.caller!.tenant;
    if (!context.events) {
      const { result, decision } = await services.router.call(context.route, context.request, context.signal, context.hints, span);
      context.result = result;
      context.decision = decision;
      recordModelCall(services, tenant, decision, result.usage);
      return;
    }
    const { decision, parts } = services.router.stream(context.route, context.request, context.signal, context.hints, span);
    context.decision = decision;
    // The first part is awaited before the response starts, so failures up to the first token keep their HTTP status.
    const first = await parts.next();
    await relay(context.events, decision, first, parts, (part) => recordModelCall(services, tenant, decision, part.usage));
  },
};

async function relay(
  events: ChatStreamEvents,
  decision: RouteDecision,
  first: IteratorResult<ChatStreamPart>,
  parts: AsyncGenerator<ChatStreamPart>,
  onFinish: (part: Extract<ChatStreamPart, { type: 'finish' }>) => void,
): Promise<void> {
  try {
    await events.open(decision);
    let step = first;
    while (!step.done) {
      const part = step.value;
      if (part.type === 'text-delta') {
        await events.delta(part.text);
      } else {
        onFinish(part);
        await events.finish(part.finishReason, part.usage);
      }
      if (events.closed) break;
      step = await parts.next();
    }
    await events.done();
  } catch (error) {
    await events.fail(isSwitchboardError(error) ? error : new SwitchboardError('upstream_error', 'The model stream failed.', { cause: error }));
  } finally {
    events.close();
    await parts.return(undefined);
  }
}
