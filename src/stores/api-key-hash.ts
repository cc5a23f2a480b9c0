/** API key making and hashing, shared by every key store: only the SHA-256 of a key is ever stored. */

import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { defaultKeyTier } from '../config/default-key-tier.js';
import { SwitchboardError } from '../errors.js';
import type { ApiKeyRecord, KeyRole } from './store-types.js';

export type RandomBytes = (size: number) => Buffer;

export const apiKeyPrefix = 'sb-';
export const defaultKeyRole: KeyRole = 'user';
export { defaultKeyTier };

/** Longer inputs cannot be keys; refusing them early keeps hashing cheap for garbage headers. */
const maxApiKeyLength = 256;

/** `sb-` and 32 base64url characters (24 random bytes, 192 bits). */
export function generateApiKey(randomBytes: RandomBytes = cryptoRandomBytes): string {
  return apiKeyPrefix + randomBytes(24).toString('base64url');
}

/** `key_` and 12 base64url characters: a public handle for listing and revoking. */
export function generateApiKeyId(randomBytes: RandomBytes = cryptoRandomBytes): string {
  return 'key_' + randomBytes(9).toString('base64url');
}

/** Lower-case hex SHA-256 of the key: what stores keep and look up by. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The hash to look a presented key up by, or undefined when it cannot be a key at all. */
export function lookupHashOf(key: unknown): string | undefined {
  if (typeof key !== 'string' || key.length === 0 || key.length > maxApiKeyLength) return undefined;
  return hashApiKey(key);
}

export interface NewApiKey {
  key: string;
  keyHash: string;
  record: ApiKeyRecord;
}

/** Validates a create request, applies the defaults and makes the key, its hash and its record. */
export function newApiKey(
  input: { tenant: string; role?: KeyRole; tier?: string },
  now: number,
  randomBytes: RandomBytes = cryptoRandomBytes,
): NewApiKey {
  if (typeof input !== 'object' || input === null) throw new SwitchboardError('invalid_request', 'key input must be an object');
  const { tenant, role = defaultKeyRole, tier = defaultKeyTier } = input;
  if (typeof tenant !== 'string' || tenant.length === 0) {
    throw new SwitchboardError('invalid_request', 'tenant must be a non-empty string', { param: 'tenant' });
  }
  if (role !== 'admin' && role !== 'user') {
    throw new SwitchboardError('invalid_request', `role must be "admin" or "user", got ${JSON.stringify(role)}`, { param: 'role' });
  }
  if (typeof tier !== 'string' || tier.length === 0) {
    throw new SwitchboardError('invalid_request', 'tier must be a non-empty string', { param: 'tier' });
  }
  const key = generateApiKey(randomBytes);
  return {
    key,
    keyHash: hashApiKey(key),
    record: { id: generateApiKeyId(randomBytes), tenant, role, tier, createdAt: now },
  };
}
