/** Answers with an error in OpenAI's shape, or ends a started stream with an error event. */

import { toSwitchboardError, type SwitchboardError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { HttpExchange } from './http-exchange.js';

export function sendError(exchange: HttpExchange, error: unknown, logger: Logger): SwitchboardError {
  const known = toSwitchboardError(error);
  if (known.fault === 'internal' && known.code === 'internal_error') logger.error({ err: error, path: exchange.path }, 'internal error');
  else if (known.fault === 'upstream') logger.warn({ code: known.code, message: known.message, path: exchange.path }, 'upstream failure');
  if (known.retryAfterSeconds !== undefined) exchange.setHeader('retry-after', String(Math.max(1, Math.ceil(known.retryAfterSeconds))));
  exchange.respond(known.status, JSON.stringify(known.toJSON()));
  return known;
}
