/** GET /v1/usage: the caller's tenant's token use and cost per route, pool and model, optionally within [since, until). */

import { SwitchboardError } from '../../errors.js';
import { defineRoute } from '../route-spec.js';

/** An optional query parameter holding milliseconds since the epoch. */
function epochParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new SwitchboardError('invalid_request', `Invalid query parameter "${name}": expected milliseconds since the epoch, got "${text.slice(0, 40)}".`, { param: name });
  }
  return value;
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
    const data = rows.map((row) => ({
      route: row.route,
      pool: row.pool,
      model: row.model,
      requests: row.requests,
      prompt_tokens: row.promptTokens,
      completion_tokens: row.completionTokens,
      cost_usd: row.costUsd,
    }));
    exchange.respond(200, JSON.stringify({ object: 'usage', tenant, data }));
  },
});
