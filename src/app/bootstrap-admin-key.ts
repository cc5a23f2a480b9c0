/**
 * The bootstrap admin key from the environment (a Kubernetes or Lambda secret): stored hashed,
 * once per store whatever the number of pods, and never printed — so a deployment never has to
 * read a generated key out of its logs.
 */

import { SwitchboardError } from '../errors.js';
import type { Store } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';

export const adminKeyVariable = 'SWITCHBOARD_ADMIN_KEY';
export const adminTenantVariable = 'SWITCHBOARD_ADMIN_TENANT';

/** Imports the key named by SWITCHBOARD_ADMIN_KEY, if set; true when one is configured. Logs the key's id, never the key. */
export async function importBootstrapAdminKey(store: Store, env: NodeJS.ProcessEnv, logger: Logger): Promise<boolean> {
  const key = env[adminKeyVariable];
  if (key === undefined || key === '') return false;
  const tenant = env[adminTenantVariable] || 'default';
  let imported;
  try {
    imported = await store.keys.importKey(key, { tenant, role: 'admin' });
  } catch (error) {
    if (error instanceof SwitchboardError && error.param === 'key') throw new Error(`${adminKeyVariable}: ${error.message}`, { cause: error });
    throw error;
  }
  const { record, created } = imported;
  if (record.revokedAt !== undefined) logger.warn({ keyId: record.id }, `${adminKeyVariable} names a key that was revoked; it does not authenticate. Set a new secret.`);
  else logger.info({ keyId: record.id, tenant: record.tenant, created }, created ? 'bootstrap admin key stored (hashed)' : 'bootstrap admin key already stored');
  return true;
}
