/** POST /v1/admin/reload: reads the config again and swaps it in without dropping a request; admin keys only. */

import { SwitchboardError } from '../../errors.js';
import { auditAdminAction } from '../admin-audit.js';
import { defineRoute } from '../route-spec.js';

export const adminReloadRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/admin/reload',
  auth: 'admin',
  async handle({ exchange, context, services }) {
    const report = await services.reload();
    await auditAdminAction(services, context, 'config.reload', report.source, { outcome: report.outcome, generation: report.generation });
    const body = {
      object: 'config.reload',
      outcome: report.outcome,
      generation: report.generation,
      source: report.source,
      message: report.message,
      problems: report.problems,
      pools_added: report.poolsAdded,
      pools_removed: report.poolsRemoved,
    };
    if (report.outcome === 'invalid') throw new SwitchboardError('invalid_config', `${report.message}: ${report.problems.join('; ')}`);
    if (report.outcome === 'refused') throw new SwitchboardError('restart_required', report.message);
    if (report.outcome === 'failed') throw new SwitchboardError('internal_error', report.message);
    exchange.respond(200, JSON.stringify(body));
  },
});
