/** POST /v1/sessions, GET and DELETE /v1/sessions/{id}: sessions of the caller's tenant only. */

import { SwitchboardError } from '../../errors.js';
import type { Session, StoredMessage } from '../../stores/store-types.js';
import { createSessionRequestSchema } from '../request-schemas.js';
import { defineRoute } from '../route-spec.js';

/** A stored message in OpenAI's shape: an assistant's tool calls and a tool result's call id come with it. */
function messageView(message: StoredMessage) {
  const view: { role: string; content: string; at: number; tool_calls?: StoredMessage['toolCalls']; tool_call_id?: string } = { role: message.role, content: message.content, at: message.at };
  if (message.toolCalls && message.toolCalls.length > 0) view.tool_calls = message.toolCalls;
  if (message.toolCallId !== undefined) view.tool_call_id = message.toolCallId;
  return view;
}

export function sessionView(session: Session) {
  return {
    id: session.id,
    object: 'session',
    created_at: session.createdAt,
    updated_at: session.updatedAt,
    version: session.version,
    last_agent: session.lastAgent ?? null,
    metadata: session.metadata,
    messages: session.messages.map(messageView),
  };
}

export const createSessionRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/sessions',
  auth: 'key',
  body: { schema: createSessionRequestSchema, optional: true },
  async handle({ exchange, context, body, services }) {
    const session = await services.sessions.create({ tenant: context.caller!.tenant, metadata: body.metadata, ttlSeconds: services.sessionSettings.ttlSeconds });
    exchange.respond(201, JSON.stringify(sessionView(session)));
  },
});

export const getSessionRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/sessions/:id',
  auth: 'key',
  async handle({ exchange, context, params, services }) {
    const session = await services.sessions.get(context.caller!.tenant, params.id!);
    if (!session) throw new SwitchboardError('session_not_found', `No session "${params.id}".`);
    exchange.respond(200, JSON.stringify(sessionView(session)));
  },
});

export const deleteSessionRoute = defineRoute({
  method: 'DELETE',
  pattern: '/v1/sessions/:id',
  auth: 'key',
  async handle({ exchange, context, params, services }) {
    const deleted = await services.sessions.delete(context.caller!.tenant, params.id!);
    if (!deleted) throw new SwitchboardError('session_not_found', `No session "${params.id}".`);
    exchange.respond(200, JSON.stringify({ id: params.id, object: 'session.deleted', deleted: true }));
  },
});
