/** POST /v1/sessions, GET and DELETE /v1/sessions/{id}: sessions of the caller's tenant only. */

import { SwitchboardError } from '../../errors.js';
import type { Session } from '../../stores/store-types.js';
import type { RouteHandler } from '../route-table.js';
import { parseJsonBody } from '../parse-body.js';
import { createSessionRequestSchema } from '../request-schemas.js';

export function sessionView(session: Session) {
  return {
    id: session.id,
    object: 'session',
    created_at: session.createdAt,
    updated_at: session.updatedAt,
    version: session.version,
    last_agent: session.lastAgent ?? null,
    metadata: session.metadata,
    messages: session.messages.map((message) => ({ role: message.role, content: message.content, at: message.at })),
  };
}

export const handleCreateSession: RouteHandler = async (exchange, _params, runtime) => {
  const caller = await runtime.auth.authenticate(exchange.header('authorization'));
  const body = await parseJsonBody(exchange, createSessionRequestSchema, runtime.config.server.bodyLimitBytes, true);
  const session = await runtime.store.sessions.create({ tenant: caller.tenant, metadata: body.metadata, ttlSeconds: runtime.config.sessions.ttlSeconds });
  exchange.respond(201, JSON.stringify(sessionView(session)));
};

export const handleGetSession: RouteHandler = async (exchange, params, runtime) => {
  const caller = await runtime.auth.authenticate(exchange.header('authorization'));
  const session = await runtime.store.sessions.get(caller.tenant, params.id!);
  if (!session) throw new SwitchboardError('session_not_found', `No session "${params.id}".`);
  exchange.respond(200, JSON.stringify(sessionView(session)));
};

export const handleDeleteSession: RouteHandler = async (exchange, params, runtime) => {
  const caller = await runtime.auth.authenticate(exchange.header('authorization'));
  const deleted = await runtime.store.sessions.delete(caller.tenant, params.id!);
  if (!deleted) throw new SwitchboardError('session_not_found', `No session "${params.id}".`);
  exchange.respond(200, JSON.stringify({ id: params.id, object: 'session.deleted', deleted: true }));
};
