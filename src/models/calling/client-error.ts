/** An upstream failure as the client sees it: the status says whose fault, the message says what happened. */

import { SwitchboardError, isSwitchboardError } from '../../errors.js';
import { clientMessage, isUpstreamError } from '../upstream-error.js';

export function toClientError(error: unknown): SwitchboardError {
  if (isSwitchboardError(error)) return error;
  if (isUpstreamError(error)) {
    const timedOut = error.kind === 'first-token-timeout' || error.kind === 'total-timeout';
    const retryAfterSeconds = error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000);
    return new SwitchboardError(timedOut ? 'upstream_timeout' : 'upstream_error', clientMessage(error), { cause: error, retryAfterSeconds });
  }
  return new SwitchboardError('internal_error', 'Internal error.', { cause: error });
}
