/** Experiments' shared state in Maps: the reference ExperimentStore for tests, with the same conditions as the real ones. */

import type { ControlDocument, ExperimentStore, ExposureRecord, FeedbackRecord, StatIncrement, StatTotals } from '../store-types.js';
import { checkExperimentName, checkExposure, checkFeedback, checkId, checkIncrements, checkRevision, controlJson, statKey } from '../experiment-input.js';
import { checkTtlSeconds } from '../store-input.js';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

export class MemoryExperimentStore implements ExperimentStore {
  readonly #stats = new Map<string, Map<string, StatTotals>>();
  readonly #exposures = new Map<string, Expiring<string>>();
  readonly #latest = new Map<string, Expiring<string>>();
  readonly #feedback = new Map<string, string>();
  readonly #control = new Map<string, { revision: number; json: string }>();
  readonly #pins = new Map<string, Expiring<string>>();

  constructor(private readonly now: () => number) {}

  #live<T>(map: Map<string, Expiring<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt < this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  #add(increments: readonly StatIncrement[]): void {
    for (const increment of increments) {
      let totals = this.#stats.get(increment.experiment);
      if (!totals) this.#stats.set(increment.experiment, (totals = new Map()));
      const key = statKey(increment.variant, increment.metric);
      const current = totals.get(key) ?? { variant: increment.variant, metric: increment.metric, count: 0, sum: 0, sumSquares: 0 };
      totals.set(key, { ...current, count: current.count + increment.count, sum: current.sum + increment.sum, sumSquares: current.sumSquares + increment.sumSquares });
    }
  }

  async addStats(increments: readonly StatIncrement[]): Promise<void> {
    this.#add(checkIncrements(increments));
  }

  async stats(experiment: string): Promise<StatTotals[]> {
    checkExperimentName(experiment);
    return [...(this.#stats.get(experiment)?.values() ?? [])].map((totals) => ({ ...totals }));
  }

  async recordExposure(record: ExposureRecord, ttlSeconds: number): Promise<void> {
    const checked = checkExposure(record);
    const expiresAt = this.now() + checkTtlSeconds(ttlSeconds, 'ttlSeconds') * 1000;
    const json = JSON.stringify(checked);
    this.#exposures.set(checked.id, { value: json, expiresAt });
    if (checked.sessionId !== undefined && checked.variants.length > 0) this.#latest.set(`${checked.tenant}\u0000${checked.sessionId}`, { value: json, expiresAt });
  }

  async findExposure(tenant: string, id: string): Promise<ExposureRecord | undefined> {
    const json = this.#live(this.#exposures, id);
    const record = json === undefined ? undefined : (JSON.parse(json) as ExposureRecord);
    return record?.tenant === tenant ? record : undefined;
  }

  async latestExposure(tenant: string, sessionId: string): Promise<ExposureRecord | undefined> {
    const json = this.#live(this.#latest, `${tenant}\u0000${sessionId}`);
    return json === undefined ? undefined : (JSON.parse(json) as ExposureRecord);
  }

  async recordFeedback(feedback: FeedbackRecord, increments: readonly StatIncrement[]): Promise<'recorded' | 'duplicate'> {
    const checked = checkFeedback(feedback);
    checkIncrements(increments);
    const key = [checked.tenant, checked.targetKind, checked.targetId, checked.metric].join('\u0000');
    // Synchronous from here on, so the check and both writes are one step.
    if (this.#feedback.has(key)) return 'duplicate';
    this.#feedback.set(key, JSON.stringify(checked));
    this.#add(increments);
    return 'recorded';
  }

  async findFeedback(tenant: string, targetKind: FeedbackRecord['targetKind'], targetId: string, metric: string): Promise<FeedbackRecord | undefined> {
    const json = this.#feedback.get([tenant, targetKind, targetId, metric].join('\u0000'));
    return json === undefined ? undefined : (JSON.parse(json) as FeedbackRecord);
  }

  async readControl(experiment: string): Promise<ControlDocument | undefined> {
    checkExperimentName(experiment);
    const stored = this.#control.get(experiment);
    return stored === undefined ? undefined : { revision: stored.revision, state: JSON.parse(stored.json) };
  }

  async writeControl(experiment: string, expectedRevision: number, state: unknown): Promise<boolean> {
    checkExperimentName(experiment);
    checkRevision(expectedRevision);
    const json = controlJson(state);
    if ((this.#control.get(experiment)?.revision ?? 0) !== expectedRevision) return false;
    this.#control.set(experiment, { revision: expectedRevision + 1, json });
    return true;
  }

  async pinVariant(experiment: string, unit: string, variant: string, ttlSeconds: number): Promise<string> {
    checkExperimentName(experiment);
    checkId(unit, 'unit');
    checkExperimentName(variant, 'variant');
    const key = `${experiment}\u0000${unit}`;
    const pinned = this.#live(this.#pins, key);
    if (pinned !== undefined) return pinned;
    this.#pins.set(key, { value: variant, expiresAt: this.now() + checkTtlSeconds(ttlSeconds, 'ttlSeconds') * 1000 });
    return variant;
  }
}
