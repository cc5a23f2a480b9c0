/**
 * A stream from its start to its end: `begin` runs the callers up to the first part (retries and
 * fallbacks happen there); past it nothing is retried, so a failure ends the iteration with an
 * error the caller must pass to its client. A consumer that stops early aborts the upstream
 * request, so the backend stops generating. One generator from the router to the provider's parts:
 * each layer of generators more costs every token a promise and a microtask.
 */

import type { ChatStreamPart } from '../../chat/chat-types.js';
import { SwitchboardError } from '../../errors.js';
import { UpstreamError } from '../upstream-error.js';
import type { StreamStart } from './chat-caller.js';
import { toClientError } from './client-error.js';
import type { InstanceCaller } from './instance-caller.js';

export async function* relayStream(begin: () => Promise<StreamStart>, signal: AbortSignal, instances: InstanceCaller): AsyncGenerator<ChatStreamPart> {
  const { first, iterator, attempt, observer } = await begin();
  let ok = false;
  try {
    yield first;
    if (first.type === 'finish') {
      ok = true;
      return;
    }
    for (;;) {
      let step: IteratorResult<ChatStreamPart>;
      try {
        step = await iterator.next();
      } catch (error) {
        instances.end(attempt, attempt.outcomeOf(error), error);
        observer?.failed(error);
        if (signal.aborted) throw signal.reason ?? error;
        throw toClientError(error);
      }
      if (step.done) break;
      const part = step.value;
      if (part.type === 'finish') {
        ok = true;
        observer?.finished(part);
      } else if (part.type === 'text-delta' && observer?.text) {
        observer.text(part.text);
      }
      yield part;
    }
    if (!ok) {
      const error = new SwitchboardError('upstream_error', `the stream from instance "${attempt.instance.name}" ended without a finish`);
      instances.end(attempt, 'failed', error);
      observer?.failed(error);
      throw error;
    }
  } finally {
    if (ok) {
      instances.end(attempt, 'ok');
    } else {
      observer?.cancelled();
      // The consumer stopped early or the stream failed: end the upstream request too.
      attempt.controller.abort(new UpstreamError('aborted', attempt.instance.url, 'the stream ended before its finish'));
      instances.end(attempt, 'neutral');
      await iterator.return?.(undefined).catch(() => undefined);
    }
  }
}
