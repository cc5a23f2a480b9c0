/** Writes one admin action to the store's audit log: the admin key that acted, what it did, to what, and when. */

import type { RequestContext } from '../pipeline/request-context.js';
import type { RouteServices } from './server-host.js';

export async function auditAdminAction(services: Pick<RouteServices, 'store'>, context: RequestContext, action: string, target: string, details?: Record<string, unknown>): Promise<void> {
  const caller = context.caller!;
  await services.store.audit.record({ at: Date.now(), actor: { keyId: caller.id, tenant: caller.tenant }, action, target, ...(details === undefined ? {} : { details }) });
}
