/** POST, GET /v1/admin/keys and DELETE /v1/admin/keys/{id}: keys of any tenant, for admin keys only; each change is audited. */

import { SwitchboardError } from '../../errors.js';
import type { ApiKeyRecord, NewKeyInput } from '../../stores/store-types.js';
import { auditAdminAction } from '../admin-audit.js';
import { createKeyRequestSchema } from '../request-schemas.js';
import { defineRoute } from '../route-spec.js';

export function keyView(record: ApiKeyRecord) {
  return {
    id: record.id,
    object: 'api_key',
    tenant: record.tenant,
    role: record.role,
    tier: record.tier,
    created_at: record.createdAt,
    expires_at: record.expiresAt ?? null,
    revoked_at: record.revokedAt ?? null,
    budget: record.budget === undefined ? null : { tokens_per_month: record.budget.tokensPerMonth ?? null, usd_per_month: record.budget.usdPerMonth ?? null },
  };
}

export const createKeyRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/admin/keys',
  auth: 'admin',
  body: { schema: createKeyRequestSchema },
  async handle({ exchange, context, body, services }) {
    if (body.expires_at !== undefined && body.expires_at <= Date.now()) {
      throw new SwitchboardError('invalid_request', 'Invalid field "expires_at": it must be in the future (milliseconds since the epoch).', { param: 'expires_at' });
    }
    const input: NewKeyInput = { tenant: body.tenant, role: body.role, tier: body.tier, expiresAt: body.expires_at };
    if (body.budget) {
      input.budget = {};
      if (body.budget.tokens_per_month !== undefined) input.budget.tokensPerMonth = body.budget.tokens_per_month;
      if (body.budget.usd_per_month !== undefined) input.budget.usdPerMonth = body.budget.usd_per_month;
    }
    const { key, record } = await services.store.keys.create(input);
    // The plain key is in the answer only; the audit keeps what was asked for.
    await auditAdminAction(services, context, 'key.create', record.id, { tenant: record.tenant, role: record.role, tier: record.tier, expires_at: record.expiresAt ?? null, budget: body.budget ?? null });
    exchange.respond(201, JSON.stringify({ ...keyView(record), key }));
  },
});

export const listKeysRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/admin/keys',
  auth: 'admin',
  async handle({ exchange, services }) {
    const tenant = exchange.query.get('tenant') || undefined;
    const records = await services.store.keys.list(tenant);
    exchange.respond(200, JSON.stringify({ object: 'list', data: records.map(keyView) }));
  },
});

export const revokeKeyRoute = defineRoute({
  method: 'DELETE',
  pattern: '/v1/admin/keys/:id',
  auth: 'admin',
  async handle({ exchange, context, params, services }) {
    const id = params.id!;
    const record = await services.store.keys.get(id);
    if (record === undefined) throw new SwitchboardError('key_not_found', `No API key has the id "${id.slice(0, 64)}".`);
    const revoked = await services.store.keys.revoke(id);
    // This process stops trusting the key at once; others within auth.cacheTtlMs.
    services.authenticator.forget();
    if (revoked) await auditAdminAction(services, context, 'key.revoke', id, { tenant: record.tenant });
    exchange.respond(200, JSON.stringify({ ...keyView((await services.store.keys.get(id)) ?? record), revoked: true, already_revoked: !revoked }));
  },
});
