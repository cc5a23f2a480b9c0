/**
 * What a route declares, and what its handler is given. The dispatcher reads the declaration
 * and runs the lifecycle for it (dispatcher.ts): routes never authenticate, admit or parse
 * bodies themselves.
 */

import type { z } from 'zod';
import type { RequestContext } from '../pipeline/request-context.js';
import type { HttpExchange } from './http-exchange.js';
import type { RouteServices } from './server-host.js';

/** `key`: any live API key; `admin`: a key whose role is admin (else 403); `none`: open (health, metrics). */
export type RouteAuth = 'none' | 'key' | 'admin';

export interface RouteBody<Body> {
  readonly schema: z.ZodType<Body>;
  /** An empty body is read as `{}` instead of refused. */
  readonly optional?: boolean;
  /**
   * A hand-written parse of the route's common bodies, tried first on a hot route: it must return what
   * `schema` would, or undefined to leave the body (and any refusal) to the schema.
   */
  readonly fastParse?: (value: unknown) => Body | undefined;
}

export interface RouteRequest<Body = unknown> {
  readonly exchange: HttpExchange;
  readonly params: Readonly<Record<string, string>>;
  /** The caller (after `authenticate`), the stage timer, and the admission slot (after `admit`). */
  readonly context: RequestContext;
  /** The validated body; undefined for routes that declare none. */
  readonly body: Body;
  /** The body's bytes as received (empty for routes that declare none). */
  readonly rawBody: Buffer;
  /** The services of the generation this request started on. */
  readonly services: RouteServices;
}

export interface RouteSpec<Body = unknown> {
  readonly method: string;
  readonly pattern: string;
  readonly auth: RouteAuth;
  /** Counts against admission control and in flight: turns and completions. */
  readonly admits?: boolean;
  readonly body?: RouteBody<Body>;
  handle(request: RouteRequest<Body>): Promise<void> | void;
}

/** Keeps each route's body type while the table holds them side by side. */
export function defineRoute<Body = undefined>(spec: RouteSpec<Body>): RouteSpec {
  return spec as RouteSpec;
}
