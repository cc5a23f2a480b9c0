/** GET /v1/usage: the caller's tenant's token use and cost per route, pool and model, optionally within [since, until). */

import { SwitchboardError } from '../../errors.js';
import type { UsageSummaryRow } from '../../stores/store-types.js';
import { defineRoute } from '../route-spec.js';

/** An optional query parameter holding milliseconds since the epoch. */
export function epochParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new SwitchboardError('invalid_request', `Invalid query parameter "${name}": expected milliseconds since the epoch, got "${text.slice(0, 40)}".`, { param: name });
  }
  return value;
}

/** The wire shape of a tenant's usage rows, shared with the admin route. */
export function usageView(tenant: string, rows: readonly UsageSummaryRow[]) {
  const data = rows.map((row) => ({
    route: row.route,
    pool: row.pool,
    model: row.model,
    requests: row.requests,
    prompt_tokens: row.promptTokens,
    completion_tokens: row.completionTokens,
    cost_usd: row.costUsd,
  }));
  return { object: 'usage', tenant, data };
}

export const usageRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/usage',
  auth: 'key',
  async handle({ exchange, context, services }) {
    const tenant = context.caller!.tenant;
    const since = epochParam(exchange.query, 'since');
    const until = epochParam(exchange.query, 'until');
    const rows = await services.store.usage.summary(tenant, { since, until });
    exchange.respond(200, JSON.stringify(usageView(tenant, rows)));
  },
});
