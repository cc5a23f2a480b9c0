/**
 * Experiments' shared state in Redis: statistics as HINCRBYFLOAT fields of one hash per
 * experiment (each increment atomic, so concurrent pods never lose one), control state compared
 * and set by a Lua script, and feedback stored and counted by one script or not at all.
 */

import type { Redis } from 'ioredis';
import type { ControlDocument, ExperimentStore, ExposureRecord, FeedbackRecord, StatIncrement, StatTotals } from '../store-types.js';
import { checkExperimentName, checkExposure, checkFeedback, checkId, checkIncrements, checkRevision, controlJson } from '../experiment-input.js';
import { checkTtlSeconds } from '../store-input.js';
import type { RedisKeyNames } from './redis-key-names.js';
import { RedisScript } from './redis-script.js';

/** KEYS: control hash. ARGV: expected revision, state JSON. 1 when written. */
const writeControlScript = new RedisScript(`
local revision = tonumber(redis.call('HGET', KEYS[1], 'revision') or '0')
if revision ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'revision', revision + 1, 'state', ARGV[2])
return 1
`);

/**
 * KEYS: feedback key, then one stats hash per increment. ARGV: feedback JSON, then per increment
 * its field suffix, count, sum, sum of squares. 1 when recorded, 0 for a duplicate.
 */
const feedbackScript = new RedisScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
for index = 2, #KEYS do
  local base = 2 + (index - 2) * 4
  redis.call('HINCRBYFLOAT', KEYS[index], 'c|' .. ARGV[base], ARGV[base + 1])
  redis.call('HINCRBYFLOAT', KEYS[index], 's|' .. ARGV[base], ARGV[base + 2])
  redis.call('HINCRBYFLOAT', KEYS[index], 'q|' .. ARGV[base], ARGV[base + 3])
end
return 1
`);

/** KEYS: pin. ARGV: variant, ttl ms. The pinned variant. */
const pinScript = new RedisScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end
return redis.call('GET', KEYS[1])
`);

function fieldSuffix(variant: string, metric: string): string {
  return `${variant}|${metric}`;
}

export class RedisExperimentStore implements ExperimentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyNames,
    private readonly now: () => number,
  ) {}

  /** Logical expiry on the store's clock decides; PX only reclaims the memory, in Redis' own time. */
  #live(text: string | null, tenant: string): ExposureRecord | undefined {
    if (text === null) return undefined;
    const { expiresAtMs, ...record } = JSON.parse(text) as ExposureRecord & { expiresAtMs: number };
    return record.tenant === tenant && expiresAtMs >= this.now() ? record : undefined;
  }

  async addStats(increments: readonly StatIncrement[]): Promise<void> {
    checkIncrements(increments);
    if (increments.length === 0) return;
    const transaction = this.redis.multi();
    for (const increment of increments) {
      const key = this.keys.experimentStats(increment.experiment);
      const suffix = fieldSuffix(increment.variant, increment.metric);
      transaction.hincrbyfloat(key, `c|${suffix}`, increment.count);
      transaction.hincrbyfloat(key, `s|${suffix}`, increment.sum);
      transaction.hincrbyfloat(key, `q|${suffix}`, increment.sumSquares);
    }
    const results = (await transaction.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
  }

  async stats(experiment: string): Promise<StatTotals[]> {
    checkExperimentName(experiment);
    const fields = await this.redis.hgetall(this.keys.experimentStats(experiment));
    const totals = new Map<string, StatTotals>();
    for (const [field, text] of Object.entries(fields)) {
      const [part, variant, metric] = field.split('|') as [string, string, string];
      const suffix = fieldSuffix(variant, metric);
      let entry = totals.get(suffix);
      if (!entry) totals.set(suffix, (entry = { variant, metric, count: 0, sum: 0, sumSquares: 0 }));
      const value = Number(text);
      if (part === 'c') entry.count = value;
      else if (part === 's') entry.sum = value;
      else if (part === 'q') entry.sumSquares = value;
    }
    return [...totals.values()].sort((left, right) => (left.variant === right.variant ? (left.metric < right.metric ? -1 : 1) : left.variant < right.variant ? -1 : 1));
  }

  async recordExposure(record: ExposureRecord, ttlSeconds: number): Promise<void> {
    const checked = checkExposure(record);
    const ttlMs = Math.max(1, Math.ceil(checkTtlSeconds(ttlSeconds, 'ttlSeconds') * 1000));
    const json = JSON.stringify({ ...checked, expiresAtMs: this.now() + ttlMs });
    const transaction = this.redis.multi().set(this.keys.exposure(checked.id), json, 'PX', ttlMs);
    if (checked.sessionId !== undefined && checked.variants.length > 0) transaction.set(this.keys.latestExposure(checked.tenant, checked.sessionId), json, 'PX', ttlMs);
    await transaction.exec();
  }

  async findExposure(tenant: string, id: string): Promise<ExposureRecord | undefined> {
    return this.#live(await this.redis.get(this.keys.exposure(id)), tenant);
  }

  async latestExposure(tenant: string, sessionId: string): Promise<ExposureRecord | undefined> {
    return this.#live(await this.redis.get(this.keys.latestExposure(tenant, sessionId)), tenant);
  }

  async recordFeedback(feedback: FeedbackRecord, increments: readonly StatIncrement[]): Promise<'recorded' | 'duplicate'> {
    const checked = checkFeedback(feedback);
    checkIncrements(increments);
    const keys = [this.keys.feedback(checked.tenant, checked.targetKind, checked.targetId, checked.metric)];
    const args: (string | number)[] = [JSON.stringify(checked)];
    for (const increment of increments) {
      keys.push(this.keys.experimentStats(increment.experiment));
      args.push(fieldSuffix(increment.variant, increment.metric), increment.count, increment.sum, increment.sumSquares);
    }
    return (await feedbackScript.run(this.redis, keys, args)) === 1 ? 'recorded' : 'duplicate';
  }

  async findFeedback(tenant: string, targetKind: FeedbackRecord['targetKind'], targetId: string, metric: string): Promise<FeedbackRecord | undefined> {
    const text = await this.redis.get(this.keys.feedback(tenant, targetKind, targetId, metric));
    return text === null ? undefined : (JSON.parse(text) as FeedbackRecord);
  }

  async readControl(experiment: string): Promise<ControlDocument | undefined> {
    checkExperimentName(experiment);
    const [revision, state] = await this.redis.hmget(this.keys.experimentControl(experiment), 'revision', 'state');
    return revision === null || state === null ? undefined : { revision: Number(revision), state: JSON.parse(state) };
  }

  async writeControl(experiment: string, expectedRevision: number, state: unknown): Promise<boolean> {
    checkExperimentName(experiment);
    checkRevision(expectedRevision);
    return (await writeControlScript.run(this.redis, [this.keys.experimentControl(experiment)], [expectedRevision, controlJson(state)])) === 1;
  }

  async pinVariant(experiment: string, unit: string, variant: string, ttlSeconds: number): Promise<string> {
    checkExperimentName(experiment);
    checkId(unit, 'unit');
    checkExperimentName(variant, 'variant');
    const ttlMs = Math.max(1, Math.ceil(checkTtlSeconds(ttlSeconds, 'ttlSeconds') * 1000));
    return String(await pinScript.run(this.redis, [this.keys.experimentPin(experiment, unit)], [variant, ttlMs]));
  }
}
