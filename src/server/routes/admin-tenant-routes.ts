/** GET /v1/admin/tenants/{tenant}/usage and …/sessions: any tenant's usage and recent sessions, for admin keys; GET /v1/admin/audit: the audit log. */

import { SwitchboardError } from '../../errors.js';
import { defineRoute } from '../route-spec.js';
import { epochParam, usageView } from './usage-route.js';

function integerParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^\d{1,16}$/.test(text)) throw new SwitchboardError('invalid_request', `Invalid query parameter "${name}": expected a non-negative integer, got "${text.slice(0, 40)}".`, { param: name });
  return Number(text);
}

export const tenantUsageRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/admin/tenants/:tenant/usage',
  auth: 'admin',
  async handle({ exchange, params, services }) {
    const tenant = params.tenant!;
    const rows = await services.store.usage.summary(tenant, { since: epochParam(exchange.query, 'since'), until: epochParam(exchange.query, 'until') });
    exchange.respond(200, JSON.stringify(usageView(tenant, rows)));
  },
});

export const tenantSessionsRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/admin/tenants/:tenant/sessions',
  auth: 'admin',
  async handle({ exchange, params, services }) {
    const cursor = exchange.query.get('cursor') || undefined;
    const page = await services.store.sessions.list(params.tenant!, { limit: integerParam(exchange.query, 'limit'), cursor });
    const data = page.sessions.map((session) => ({
      id: session.id,
      object: 'session',
      tenant: session.tenant,
      created_at: session.createdAt,
      updated_at: session.updatedAt,
      version: session.version,
      last_agent: session.lastAgent ?? null,
      metadata: session.metadata,
    }));
    exchange.respond(200, JSON.stringify({ object: 'list', data, next_cursor: page.nextCursor ?? null }));
  },
});

export const auditLogRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/admin/audit',
  auth: 'admin',
  async handle({ exchange, services }) {
    const entries = await services.store.audit.list({ limit: integerParam(exchange.query, 'limit') });
    const data = entries.map((entry) => ({ at: entry.at, actor: { key_id: entry.actor.keyId, tenant: entry.actor.tenant }, action: entry.action, target: entry.target, details: entry.details ?? null }));
    exchange.respond(200, JSON.stringify({ object: 'list', data }));
  },
});
