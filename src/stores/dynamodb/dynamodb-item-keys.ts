/**
 * The single-table layout: how every item's partition and sort keys are spelled (docs/dynamodb-design.md).
 * Fixed-width numbers keep lexical order equal to numeric order in sort keys.
 */

export const attributeNames = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Sessions by tenant, newest first: `TENANT#<tenant>` / `<updatedAt>#<id>`. */
  tenantIndexPartition: 'gsi1pk',
  tenantIndexSort: 'gsi1sk',
  /** API keys in creation order: `APIKEYS` / `<createdAt>#<id>`. */
  keyIndexPartition: 'gsi2pk',
  keyIndexSort: 'gsi2sk',
  /** Epoch seconds: DynamoDB's TTL sweeper deletes the item some time after it. */
  timeToLive: 'expiresAt',
} as const;

export const tenantIndexName = 'gsi1';
export const keyIndexName = 'gsi2';

export function padNumber(value: number, width: number): string {
  return String(Math.max(0, Math.trunc(value))).padStart(width, '0');
}

export const sessionKeys = {
  partition: (id: string) => `SESSION#${id}`,
  head: 'META',
  /** The turn that loaded the session and until when it holds it (dynamodb-session-lease.ts). */
  lease: 'LEASE',
  /** Messages of one generation of the session (a re-created id starts a new one), in commit order. */
  message: (generation: string, version: number, index: number) => `MSG#${generation}#${padNumber(version, 10)}#${padNumber(index, 3)}`,
  messagePrefix: (generation: string) => `MSG#${generation}#`,
  turn: (generation: string, idempotencyKey: string) => `TURN#${generation}#${idempotencyKey}`,
  turnPrefix: (generation: string) => `TURN#${generation}#`,
  tenantIndexPartition: (tenant: string) => `TENANT#${tenant}`,
  tenantIndexSort: (updatedAt: number, id: string) => `${padNumber(updatedAt, 15)}#${id}`,
};

export const apiKeyKeys = {
  byHash: (keyHash: string) => `APIKEY#${keyHash}`,
  byHashSort: 'APIKEY',
  byId: (id: string) => `APIKEYID#${id}`,
  byIdSort: 'APIKEYID',
  indexPartition: 'APIKEYS',
  indexSort: (createdAt: number, id: string) => `${padNumber(createdAt, 15)}#${id}`,
  /** One-time claims (the first admin key): put only if absent. */
  marker: (name: string) => `MARKER#${name}`,
  markerSort: 'MARKER',
};

/** Admin actions in one partition, newest last by `<at>#<random>`: admin actions are rare, so one partition never runs hot. */
export const auditKeys = {
  partition: 'AUDIT',
  sort: (at: number, unique: string) => `${padNumber(at, 15)}#${unique}`,
};

const millisecondsPerDay = 86_400_000;
/** Days are keyed from this offset so that any plausible timestamp, before 1970 included, stays a non-negative fixed-width number. */
const dayOffset = 1_000_000_000;

/** The UTC day of a timestamp as a 10-digit key, clamped so that open window ends stay keys. */
export function usageDayKey(at: number): string {
  const day = Math.floor(at / millisecondsPerDay);
  return padNumber(Math.min(Math.max(day + dayOffset, 0), 2 * dayOffset - 1), 10);
}

export const usageKeys = {
  /** One partition per tenant and day, so a busy tenant's writes spread over days and a window reads only its days. */
  entries: (tenant: string, dayKey: string) => `USAGE#${tenant}#${dayKey}`,
  /** One item per (tenant, day) with usage, so a summary finds its days without scanning. */
  days: (tenant: string) => `USAGEDAYS#${tenant}`,
};

export const experimentKeys = {
  /** One partition per experiment: its statistics, its control state and its pins. */
  partition: (experiment: string) => `EXPERIMENT#${experiment}`,
  stat: (variant: string, metric: string) => `STAT#${variant}#${metric}`,
  statPrefix: 'STAT#',
  control: 'CONTROL',
  pin: (unit: string) => `PIN#${unit}`,
  exposure: (id: string) => `EXPOSURE#${id}`,
  exposureSort: 'EXPOSURE',
  latestExposure: (tenant: string, sessionId: string) => `EXPOSURES#${tenant}#${sessionId}`,
  latestExposureSort: 'LATEST',
  feedback: (tenant: string, kind: string, id: string) => `FEEDBACK#${tenant}#${kind}#${id}`,
};

/** The intent cascade's example vectors: one partition per embedding model, the text hash as sort key. */
export const embeddingKeys = {
  partition: (model: string) => `EMBED#${model}`,
};
