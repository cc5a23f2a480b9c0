/** An upstream failure as the client sees it: the status says whose fault, the message says what happened. */

import { SwitchboardError, isSwitchboardError, type ErrorCode } from '../../errors.js';
import { clientMessage, isUpstreamError, type UpstreamError } from '../upstream-error.js';

/**
 * Upstream statuses that say the request itself is wrong: answered with the same status, so the
 * official SDKs raise their client-error classes and do not retry (they retry 5xx, 502 included).
 */
const clientStatusCodes: ReadonlyMap<number, ErrorCode> = new Map([
  [400, 'upstream_invalid_request'],
  [404, 'upstream_not_found'],
  [422, 'upstream_unprocessable'],
]);

export function toClientError(error: unknown): SwitchboardError {
  if (isSwitchboardError(error)) return error;
  if (isUpstreamError(error)) {
    const clientCode = error.kind === 'status' && error.status !== undefined ? clientStatusCodes.get(error.status) : undefined;
    if (clientCode !== undefined) return new SwitchboardError(clientCode, upstreamClientMessage(error), { cause: error, param: upstreamParam(error) });
    const timedOut = error.kind === 'first-token-timeout' || error.kind === 'total-timeout';
    const retryAfterSeconds = error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000);
    return new SwitchboardError(timedOut ? 'upstream_timeout' : 'upstream_error', clientMessage(error), { cause: error, retryAfterSeconds });
  }
  return new SwitchboardError('internal_error', 'Internal error.', { cause: error });
}

interface UpstreamErrorBody {
  message?: unknown;
  code?: unknown;
  type?: unknown;
  param?: unknown;
}

/** The `error` object of an OpenAI (`{error: {message, type, code, param}}`) or Anthropic (`{type: "error", error: {type, message}}`) body. */
function errorObject(error: UpstreamError): UpstreamErrorBody | undefined {
  if (error.body === undefined || error.body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(error.body);
    const inner = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
    if (typeof inner === 'object' && inner !== null) return inner as UpstreamErrorBody;
    if (typeof inner === 'string') return { message: inner };
  } catch {
    // Not JSON: the text itself is the message.
  }
  return { message: error.body };
}

/**
 * The backend's own message, with its error code when it gave one (`context_length_exceeded`),
 * without the instance's address: the client sees what was wrong with its request, not where it ran.
 */
function upstreamClientMessage(error: UpstreamError): string {
  const body = errorObject(error);
  const message = typeof body?.message === 'string' && body.message.length > 0 ? body.message.slice(0, 1_000) : `The model backend answered ${error.status} without a message.`;
  const code = typeof body?.code === 'string' ? body.code : typeof body?.type === 'string' && body.type !== 'invalid_request_error' ? body.type : undefined;
  return code === undefined ? message : `${message} (upstream code: ${code})`;
}

function upstreamParam(error: UpstreamError): string | undefined {
  const param = errorObject(error)?.param;
  return typeof param === 'string' ? param : undefined;
}
