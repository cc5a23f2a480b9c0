/** The one error catalogue: every error Switchboard answers with has a stable code, an HTTP status and an OpenAI error type. */

export type ErrorFault = 'client' | 'upstream' | 'internal';

interface CatalogueEntry {
  readonly status: number;
  readonly type: string;
  readonly fault: ErrorFault;
  readonly description: string;
}

/**
 * Every code Switchboard can answer with. `type` follows OpenAI's error types so that the
 * official clients map statuses to their error classes; docs/errors.md lists each code
 * (a test keeps the two in step).
 */
export const errorCatalogue = {
  invalid_json: { status: 400, type: 'invalid_request_error', fault: 'client', description: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, type: 'invalid_request_error', fault: 'client', description: 'A field is missing or has the wrong type; the message names the field.' },
  body_too_slow: { status: 408, type: 'invalid_request_error', fault: 'client', description: 'The request body arrived slower than `server.bodyMinRate` allows; the connection is closed.' },
  body_too_large: { status: 413, type: 'invalid_request_error', fault: 'client', description: 'The request body is larger than `server.bodyLimitBytes`.' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', fault: 'client', description: 'The body is not `application/json`.' },
  missing_api_key: { status: 401, type: 'authentication_error', fault: 'client', description: 'No `Authorization: Bearer <key>` header.' },
  invalid_api_key: { status: 401, type: 'authentication_error', fault: 'client', description: 'The key is unknown or revoked.' },
  permission_denied: { status: 403, type: 'permission_error', fault: 'client', description: 'The key may not do this (for example, a non-admin key on an admin route).' },
  key_not_found: { status: 404, type: 'invalid_request_error', fault: 'client', description: 'No API key has that id; `GET /v1/admin/keys` lists them.' },
  not_found: { status: 404, type: 'invalid_request_error', fault: 'client', description: 'No such path.' },
  model_not_found: { status: 404, type: 'invalid_request_error', fault: 'client', description: 'The `model` is not a route that `GET /v1/models` lists.' },
  session_not_found: { status: 404, type: 'invalid_request_error', fault: 'client', description: "No such session for the caller's tenant." },
  experiment_not_found: { status: 404, type: 'invalid_request_error', fault: 'client', description: 'No experiment of that name in the config; `GET /v1/experiments` lists them.' },
  variant_not_found: { status: 404, type: 'invalid_request_error', fault: 'client', description: 'The experiment has no variant of that name.' },
  turn_not_found: { status: 404, type: 'invalid_request_error', fault: 'client', description: "No such turn or completion for the caller's tenant (or it expired with its session)." },
  method_not_allowed: { status: 405, type: 'invalid_request_error', fault: 'client', description: 'The path exists but not with this method.' },
  session_conflict: { status: 409, type: 'invalid_request_error', fault: 'client', description: 'Another turn on the same session was committed first; nothing was written. Retry the turn.' },
  experiment_not_running: { status: 409, type: 'invalid_request_error', fault: 'client', description: 'The experiment is stopped or promoted, so this action no longer applies.' },
  restart_required: { status: 409, type: 'invalid_request_error', fault: 'client', description: 'The new config changes a section only a restart applies (named in the message); nothing was reloaded.' },
  invalid_config: { status: 422, type: 'invalid_request_error', fault: 'client', description: 'The config file failed validation (the message names each bad field); the current config keeps serving.' },
  idempotency_key_reused: { status: 422, type: 'invalid_request_error', fault: 'client', description: 'The `Idempotency-Key` was used before with a different request body.' },
  rate_limited: { status: 429, type: 'rate_limit_error', fault: 'client', description: "The tenant's request or token rate limit is used up; see `Retry-After`." },
  budget_exceeded: { status: 429, type: 'insufficient_quota', fault: 'client', description: "The key's monthly budget (tokens or dollars) is used up for this calendar month (UTC); the message says which and when it resets." },
  tenant_concurrency_exceeded: { status: 429, type: 'rate_limit_error', fault: 'client', description: 'The tenant has as many turns in flight as it may; see `Retry-After`.' },
  server_overloaded: { status: 503, type: 'server_error', fault: 'internal', description: 'The process is at its in-flight cap and its wait queue is full or the wait passed its deadline; see `Retry-After`.' },
  upstream_invalid_request: { status: 400, type: 'invalid_request_error', fault: 'client', description: "The model backend refused the request as invalid (for example `context_length_exceeded`); the message is the backend's. Not retried." },
  upstream_not_found: { status: 404, type: 'invalid_request_error', fault: 'client', description: "The model backend answered 404 (for example an unknown model name); the message is the backend's. Not retried." },
  upstream_unprocessable: { status: 422, type: 'invalid_request_error', fault: 'client', description: "The model backend answered 422 (a request it understood but cannot process); the message is the backend's. Not retried." },
  upstream_error: { status: 502, type: 'server_error', fault: 'upstream', description: 'Every model backend tried failed; the message says how.' },
  upstream_timeout: { status: 504, type: 'server_error', fault: 'upstream', description: 'No model backend answered within its time limits.' },
  turn_deadline_exceeded: { status: 504, type: 'server_error', fault: 'upstream', description: "The turn's model calls and tools took longer than the agent's `limits.turnDeadlineMs`; nothing was written." },
  no_healthy_upstream: { status: 503, type: 'server_error', fault: 'upstream', description: 'Every instance of every pool of the route is down or open-circuited.' },
  client_closed: { status: 499, type: 'invalid_request_error', fault: 'client', description: 'The client closed the connection before the response was complete (the status is recorded, never sent: nobody is left to receive it). Not an upstream failure; the upstream call is aborted.' },
  internal_error: { status: 500, type: 'server_error', fault: 'internal', description: 'A bug: the log has the details.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error with a catalogue code. `retryAfterSeconds` becomes the `Retry-After` header. */
export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly fault: ErrorFault;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, options: { param?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    const entry = errorCatalogue[code];
    super(message ?? entry.description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    this.status = entry.status;
    this.type = entry.type;
    this.fault = entry.fault;
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The body in OpenAI's shape. */
  toJSON(): { error: { message: string; type: string; code: string; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param ?? null } };
  }
}

/**
 * Duck-typed rather than `instanceof`, so an error made by a second copy of this module
 * (a bundled Lambda next to a library build) is still recognised.
 */
export function isSwitchboardError(error: unknown): error is SwitchboardError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SwitchboardError' && typeof (error as { code?: unknown }).code === 'string';
}

/** Anything thrown, as a catalogue error: unknown errors become `internal_error` with a generic message. */
export function toSwitchboardError(error: unknown): SwitchboardError {
  if (isSwitchboardError(error)) return error;
  return new SwitchboardError('internal_error', 'Internal error.', { cause: error });
}
