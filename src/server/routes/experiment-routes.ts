/**
 * GET /v1/experiments, GET /v1/experiments/{name}: variants, weights now, counts, means,
 * intervals, comparisons, guardrails, SRM and decision, read from the store so every pod answers
 * alike. POST …/stop, …/promote, …/ramp: admin keys only, each written to the audit log.
 */

import { promoteExperimentRequestSchema, rampExperimentRequestSchema, stopExperimentRequestSchema } from '../request-schemas.js';
import { auditAdminAction } from '../admin-audit.js';
import { defineRoute } from '../route-spec.js';

export const listExperimentsRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/experiments',
  auth: 'key',
  async handle({ exchange, services }) {
    exchange.respond(200, JSON.stringify({ object: 'list', data: await services.experiments.list() }));
  },
});

export const getExperimentRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/experiments/:name',
  auth: 'key',
  async handle({ exchange, params, services }) {
    exchange.respond(200, JSON.stringify(await services.experiments.describe(params.name!)));
  },
});

export const stopExperimentRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/experiments/:name/stop',
  auth: 'admin',
  body: { schema: stopExperimentRequestSchema, optional: true },
  async handle({ exchange, context, params, body, services }) {
    const result = await services.experiments.stop(params.name!, body);
    await auditAdminAction(services, context, 'experiment.stop', params.name!, { ...body });
    exchange.respond(200, JSON.stringify(result));
  },
});

export const promoteExperimentRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/experiments/:name/promote',
  auth: 'admin',
  body: { schema: promoteExperimentRequestSchema },
  async handle({ exchange, context, params, body, services }) {
    const result = await services.experiments.promote(params.name!, body.variant);
    await auditAdminAction(services, context, 'experiment.promote', params.name!, { variant: body.variant });
    exchange.respond(200, JSON.stringify(result));
  },
});

export const rampExperimentRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/experiments/:name/ramp',
  auth: 'admin',
  body: { schema: rampExperimentRequestSchema },
  async handle({ exchange, context, params, body, services }) {
    const result = await services.experiments.ramp(params.name!, body);
    await auditAdminAction(services, context, 'experiment.ramp', params.name!, { ...body });
    exchange.respond(200, JSON.stringify(result));
  },
});
