/** call-model: the route answers, whole or streamed through the transport's events; the call is accounted once. */

import { SwitchboardError, isSwitchboardError } from '../../errors.js';
import type { ChatStreamPart } from '../../chat/chat-types.js';
import { noWatch, type CallWatch } from '../../experiments/request-experiments.js';
import { newDecision, type RouteDecision } from '../../models/route-decision.js';
import type { CallerSignal } from '../../models/caller-abort.js';
import type { RelayedStream } from '../../models/calling/stream-relay.js';
import { pushParts } from './push-parts.js';
import { recordModelCall } from '../record-model-call.js';
import type { ChatServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { ChatContext, ChatStreamEvents } from './chat-context.js';

export const callModelStage: Stage<ChatContext, ChatServices> = {
  name: 'call-model',
  async run(context, services, span) {
    const tenant = context.caller!.tenant;
    // Filled in as the call moves down, so a failed completion still reports its route, pool and attempts.
    context.decision = newDecision(context.route);
    const options = { override: context.experiments?.route, parent: span, decision: context.decision };
    const watch = context.experiments?.watch({ route: context.route, request: context.request, hints: context.hints, streamed: context.events !== undefined, tenant }) ?? noWatch;
    if (!context.events) {
      try {
        const { result, decision } = await services.router.call(context.route, context.request, context.signal, context.hints, options);
        watch.firstToken();
        watch.answerStarted();
        watch.finished(decision, result.usage);
        context.result = result;
        context.decision = decision;
        recordModelCall(services, tenant, decision, result.usage, watch.cost);
      } catch (error) {
        watch.failed(context.signal.aborted || isClientFault(error));
        throw error;
      }
      return;
    }
    const { decision, parts } = services.router.stream(context.route, context.request, context.signal, context.hints, options);
    context.decision = decision;
    // The first part is awaited before the response starts, so failures up to the first token keep their HTTP status.
    let first: IteratorResult<ChatStreamPart>;
    try {
      first = await parts.next();
    } catch (error) {
      watch.failed(context.signal.aborted || isClientFault(error));
      throw error;
    }
    watch.firstToken();
    watch.answerStarted();
    await relay(context.events, decision, first, parts, watch, context.signal, (part) => {
      watch.finished(decision, part.usage);
      recordModelCall(services, tenant, decision, part.usage, watch.cost);
    });
  },
};

/** A request refused for its own fields (before any model call) is not the variant's error. */
function isClientFault(error: unknown): boolean {
  return isSwitchboardError(error) && error.fault === 'client';
}

async function relay(
  events: ChatStreamEvents,
  decision: RouteDecision,
  first: IteratorResult<ChatStreamPart>,
  parts: RelayedStream,
  watch: CallWatch,
  signal: CallerSignal,
  onFinish: (part: Extract<ChatStreamPart, { type: 'finish' }>) => void,
): Promise<void> {
  try {
    await events.open(decision);
    let step = first;
    while (!step.done) {
      const part = step.value;
      // The transport answers a promise only while its client is behind: awaited then, and only then.
      if (part.type === 'text-delta') {
        const written = events.delta(part.text);
        if (written) await written;
      } else if (part.type === 'tool-call-delta') {
        const written = events.toolCallDelta(part);
        if (written) await written;
      } else {
        onFinish(part);
        await events.finish(part.finishReason, part.usage);
      }
      if (events.closed) break;
      // Past the first part, parts the provider can push go straight to the transport: no promise per token.
      if (part.type !== 'finish' && parts.canPush) {
        const error = await pushParts(parts, events, onFinish);
        if (error !== undefined) throw error;
        break;
      }
      step = await parts.next();
    }
    await events.done();
  } catch (error) {
    watch.failed(signal.aborted || events.closed);
    await events.fail(isSwitchboardError(error) ? error : new SwitchboardError('upstream_error', 'The model stream failed.', { cause: error }));
  } finally {
    events.close();
    await parts.return(undefined);
  }
}
