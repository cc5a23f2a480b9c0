/** API key making and hashing, shared by every key store: only the SHA-256 of a key is ever stored. */

import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { defaultKeyTier } from '../config/default-key-tier.js';
import { SwitchboardError } from '../errors.js';
import type { ApiKeyRecord, AuditEntry, KeyBudget, KeyRole, NewKeyInput } from './store-types.js';

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

/** Keys an operator brings (the bootstrap secret) must be at least this long: they guard everything. */
export const minImportedKeyLength = 32;
/** The name of the marker a first admin key claims, in every backend. */
export const firstAdminMarker = 'first-admin';

function invalid(param: string, message: string): SwitchboardError {
  return new SwitchboardError('invalid_request', message, { param });
}

function checkBudget(budget: unknown): KeyBudget | undefined {
  if (budget === undefined) return undefined;
  if (typeof budget !== 'object' || budget === null || Array.isArray(budget)) throw invalid('budget', 'budget must be an object with tokensPerMonth or usdPerMonth');
  const checked: KeyBudget = {};
  for (const [name, value] of Object.entries(budget)) {
    if (name !== 'tokensPerMonth' && name !== 'usdPerMonth') throw invalid(`budget.${name}`, `budget.${name} is not a budget field; use tokensPerMonth or usdPerMonth`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(`budget.${name}`, `budget.${name} must be a positive number`);
    checked[name] = value;
  }
  if (Object.keys(checked).length === 0) throw invalid('budget', 'budget needs tokensPerMonth or usdPerMonth');
  return checked;
}

/** Checks a create request and applies the defaults: the record without its id and creation time. */
function checkKeyInput(input: NewKeyInput, now: number): Omit<ApiKeyRecord, 'id' | 'createdAt'> {
  if (typeof input !== 'object' || input === null) throw new SwitchboardError('invalid_request', 'key input must be an object');
  const { tenant, role = defaultKeyRole, tier = defaultKeyTier, expiresAt } = input;
  if (typeof tenant !== 'string' || tenant.length === 0) throw invalid('tenant', 'tenant must be a non-empty string');
  if (role !== 'admin' && role !== 'user') throw invalid('role', `role must be "admin" or "user", got ${JSON.stringify(role)}`);
  if (typeof tier !== 'string' || tier.length === 0) throw invalid('tier', 'tier must be a non-empty string');
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt <= now)) {
    throw invalid('expiresAt', 'expiresAt must be a time in the future, in milliseconds since the epoch');
  }
  const budget = checkBudget(input.budget);
  const record: Omit<ApiKeyRecord, 'id' | 'createdAt'> = { tenant, role, tier };
  if (expiresAt !== undefined) record.expiresAt = expiresAt;
  if (budget !== undefined) record.budget = budget;
  return record;
}

/** Validates a create request, applies the defaults and makes the key, its hash and its record. */
export function newApiKey(input: NewKeyInput, now: number, randomBytes: RandomBytes = cryptoRandomBytes): NewApiKey {
  const fields = checkKeyInput(input, now);
  const key = generateApiKey(randomBytes);
  return { key, keyHash: hashApiKey(key), record: { id: generateApiKeyId(randomBytes), ...fields, createdAt: now } };
}

/**
 * The hash and record of a key the operator chose. Its id comes from the hash, so pods importing
 * the same secret write the same record and the store's put-if-absent keeps exactly one.
 */
export function importedApiKey(key: string, input: NewKeyInput, now: number): Omit<NewApiKey, 'key'> {
  if (typeof key !== 'string' || key.length < minImportedKeyLength || lookupHashOf(key) === undefined || /\s/.test(key)) {
    throw invalid('key', `an imported key must be ${minImportedKeyLength} to 256 characters without spaces`);
  }
  const fields = checkKeyInput(input, now);
  const keyHash = hashApiKey(key);
  return { keyHash, record: { id: 'key_' + Buffer.from(keyHash.slice(0, 18), 'hex').toString('base64url'), ...fields, createdAt: now } };
}

/** Whether a stored record may still authenticate at `now`. */
export function isLiveKey(record: ApiKeyRecord, now: number): boolean {
  return record.revokedAt === undefined && (record.expiresAt === undefined || record.expiresAt > now);
}

/** A record holding only its defined fields, so every backend returns the same shape. */
export interface StoredKeyFields extends Omit<ApiKeyRecord, 'revokedAt' | 'expiresAt' | 'budget'> {
  revokedAt?: number | null;
  expiresAt?: number | null;
  budget?: KeyBudget | null;
}

export function keyRecordOf(fields: StoredKeyFields): ApiKeyRecord {
  const record: ApiKeyRecord = { id: fields.id, tenant: fields.tenant, role: fields.role, tier: fields.tier, createdAt: fields.createdAt };
  if (fields.revokedAt !== undefined && fields.revokedAt !== null) record.revokedAt = fields.revokedAt;
  if (fields.expiresAt !== undefined && fields.expiresAt !== null) record.expiresAt = fields.expiresAt;
  if (fields.budget !== undefined && fields.budget !== null) record.budget = { ...fields.budget };
  return record;
}

export const defaultAuditLimit = 50;
export const maxAuditLimit = 500;

export function checkAuditEntry(entry: AuditEntry): AuditEntry {
  if (typeof entry !== 'object' || entry === null) throw invalid('entry', 'audit entry must be an object');
  if (typeof entry.at !== 'number' || !Number.isFinite(entry.at)) throw invalid('at', 'at must be a number of milliseconds');
  if (typeof entry.actor?.keyId !== 'string' || typeof entry.actor.tenant !== 'string') throw invalid('actor', 'actor must name a key id and a tenant');
  if (typeof entry.action !== 'string' || entry.action.length === 0) throw invalid('action', 'action must be a non-empty string');
  if (typeof entry.target !== 'string') throw invalid('target', 'target must be a string');
  return entry;
}

export function checkAuditLimit(options: { limit?: number } | undefined): number {
  const limit = options?.limit ?? defaultAuditLimit;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxAuditLimit) throw invalid('limit', `limit must be an integer from 1 to ${maxAuditLimit}`);
  return limit;
}
