/**
 * Experiments' shared state in SQLite: statistics summed by UPSERT inside one transaction per
 * batch, control state compared and set on its revision, feedback made idempotent by its primary
 * key. Exposures go into the file's per-tick write transaction (SqliteWriteBatch), as usage rows do.
 */

import type Database from 'better-sqlite3';
import type { ControlDocument, ExperimentStore, ExposureRecord, FeedbackRecord, StatIncrement, StatTotals } from '../store-types.js';
import { checkExperimentName, checkExposure, checkFeedback, checkId, checkIncrements, checkRevision, controlJson } from '../experiment-input.js';
import { checkTtlSeconds } from '../store-input.js';
import type { SqliteWriteBatch } from './sqlite-write-batch.js';

interface ExposureRow {
  id: string;
  tenant: string;
  session_id: string | null;
  at: number;
  variants: string;
}

interface FeedbackRow {
  tenant: string;
  target_kind: FeedbackRecord['targetKind'];
  target_id: string;
  metric: string;
  value: number;
  comment: string | null;
  at: number;
  variants: string;
}

function toExposure(row: ExposureRow): ExposureRecord {
  const record: ExposureRecord = { id: row.id, tenant: row.tenant, at: row.at, variants: JSON.parse(row.variants) as ExposureRecord['variants'] };
  if (row.session_id !== null) record.sessionId = row.session_id;
  return record;
}

/** Every how many exposures a few expired ones are swept, so the table stays bounded without a timer. */
const sweepEvery = 256;
const sweepBatch = 256;

export class SqliteExperimentStore implements ExperimentStore {
  private readonly upsertStat: Database.Statement<[string, string, string, number, number, number]>;
  private readonly selectStats: Database.Statement<[string], StatTotals>;
  private readonly insertExposure: Database.Statement<[string, string, string | null, number, string, number]>;
  private readonly selectExposure: Database.Statement<[string, string, number], ExposureRow>;
  private readonly selectLatest: Database.Statement<[string, string, number], ExposureRow>;
  private readonly sweepExposures: Database.Statement<[number, number]>;
  private readonly insertFeedback: Database.Statement<[string, string, string, string, number, string | null, number, string]>;
  private readonly selectFeedback: Database.Statement<[string, string, string, string], FeedbackRow>;
  private readonly selectControl: Database.Statement<[string], { revision: number; state: string }>;
  private readonly insertControl: Database.Statement<[string, string]>;
  private readonly updateControl: Database.Statement<[string, string, number]>;
  private readonly selectPin: Database.Statement<[string, string], { variant: string; expires_at: number }>;
  private readonly replacePin: Database.Statement<[string, string, string, number]>;
  private readonly addBatch: (increments: readonly StatIncrement[]) => void;
  private readonly feedbackTransaction: (feedback: FeedbackRecord, increments: readonly StatIncrement[]) => 'recorded' | 'duplicate';
  private readonly pinTransaction: (experiment: string, unit: string, variant: string, now: number, expiresAt: number) => string;
  private exposuresSinceSweep = 0;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
    private readonly writes: SqliteWriteBatch,
  ) {
    this.upsertStat = db.prepare(
      `INSERT INTO experiment_stats (experiment, variant, metric, count, sum, sum_squares) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (experiment, variant, metric) DO UPDATE SET
         count = count + excluded.count, sum = sum + excluded.sum, sum_squares = sum_squares + excluded.sum_squares`,
    );
    this.selectStats = db.prepare('SELECT variant, metric, count, sum, sum_squares AS sumSquares FROM experiment_stats WHERE experiment = ? ORDER BY variant, metric');
    this.insertExposure = db.prepare('INSERT OR REPLACE INTO experiment_exposures (id, tenant, session_id, at, variants, expires_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectExposure = db.prepare('SELECT id, tenant, session_id, at, variants FROM experiment_exposures WHERE id = ? AND tenant = ? AND expires_at >= ?');
    this.selectLatest = db.prepare(
      `SELECT id, tenant, session_id, at, variants FROM experiment_exposures WHERE tenant = ? AND session_id = ? AND expires_at >= ? AND variants <> '[]' ORDER BY at DESC, id DESC LIMIT 1`,
    );
    this.sweepExposures = db.prepare('DELETE FROM experiment_exposures WHERE id IN (SELECT id FROM experiment_exposures WHERE expires_at < ? LIMIT ?)');
    this.insertFeedback = db.prepare(
      'INSERT OR IGNORE INTO experiment_feedback (tenant, target_kind, target_id, metric, value, comment, at, variants) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectFeedback = db.prepare('SELECT * FROM experiment_feedback WHERE tenant = ? AND target_kind = ? AND target_id = ? AND metric = ?');
    this.selectControl = db.prepare('SELECT revision, state FROM experiment_control WHERE experiment = ?');
    this.insertControl = db.prepare('INSERT OR IGNORE INTO experiment_control (experiment, revision, state) VALUES (?, 1, ?)');
    this.updateControl = db.prepare('UPDATE experiment_control SET revision = revision + 1, state = ? WHERE experiment = ? AND revision = ?');
    this.selectPin = db.prepare('SELECT variant, expires_at FROM experiment_pins WHERE experiment = ? AND unit = ?');
    this.replacePin = db.prepare('INSERT OR REPLACE INTO experiment_pins (experiment, unit, variant, expires_at) VALUES (?, ?, ?, ?)');

    const add = (increments: readonly StatIncrement[]) => {
      for (const { experiment, variant, metric, count, sum, sumSquares } of increments) this.upsertStat.run(experiment, variant, metric, count, sum, sumSquares);
    };
    this.addBatch = db.transaction(add).immediate;
    this.feedbackTransaction = db.transaction((feedback: FeedbackRecord, increments: readonly StatIncrement[]) => {
      const inserted = this.insertFeedback.run(
        feedback.tenant,
        feedback.targetKind,
        feedback.targetId,
        feedback.metric,
        feedback.value,
        feedback.comment ?? null,
        feedback.at,
        JSON.stringify(feedback.variants),
      );
      if (inserted.changes === 0) return 'duplicate' as const;
      add(increments);
      return 'recorded' as const;
    }).immediate;
    // IMMEDIATE: the read and the write hold the write lock together, so two processes cannot both pin.
    this.pinTransaction = db.transaction((experiment: string, unit: string, variant: string, now: number, expiresAt: number) => {
      const pinned = this.selectPin.get(experiment, unit);
      if (pinned !== undefined && pinned.expires_at >= now) return pinned.variant;
      this.replacePin.run(experiment, unit, variant, expiresAt);
      return variant;
    }).immediate;
  }

  async addStats(increments: readonly StatIncrement[]): Promise<void> {
    checkIncrements(increments);
    if (increments.length > 0) this.addBatch(increments);
  }

  async stats(experiment: string): Promise<StatTotals[]> {
    checkExperimentName(experiment);
    return this.selectStats.all(experiment);
  }

  recordExposure(record: ExposureRecord, ttlSeconds: number): Promise<void> {
    let checked: ExposureRecord;
    let expiresAt: number;
    try {
      checked = checkExposure(record);
      expiresAt = this.now() + checkTtlSeconds(ttlSeconds, 'ttlSeconds') * 1000;
    } catch (error) {
      return Promise.reject(error);
    }
    // Into the file's per-tick write transaction: the engine hands the record over a tick after the turn's commit
    // (off the caller's clock), so it usually joins the next batch rather than the commit's own.
    return this.writes.write(() => this.writeExposure(checked, expiresAt));
  }

  private writeExposure(record: ExposureRecord, expiresAt: number): void {
    this.insertExposure.run(record.id, record.tenant, record.sessionId ?? null, record.at, JSON.stringify(record.variants), expiresAt);
    if (++this.exposuresSinceSweep >= sweepEvery) {
      this.exposuresSinceSweep = 0;
      this.sweepExposures.run(this.now(), sweepBatch);
    }
  }

  /** Writes every pending exposure (and every other queued write of this file) now. */
  flush(): void {
    this.writes.flush();
  }

  async findExposure(tenant: string, id: string): Promise<ExposureRecord | undefined> {
    this.flush();
    const row = this.selectExposure.get(id, tenant, this.now());
    return row === undefined ? undefined : toExposure(row);
  }

  async latestExposure(tenant: string, sessionId: string): Promise<ExposureRecord | undefined> {
    this.flush();
    const row = this.selectLatest.get(tenant, sessionId, this.now());
    return row === undefined ? undefined : toExposure(row);
  }

  async recordFeedback(feedback: FeedbackRecord, increments: readonly StatIncrement[]): Promise<'recorded' | 'duplicate'> {
    const checked = checkFeedback(feedback);
    checkIncrements(increments);
    return this.feedbackTransaction(checked, increments);
  }

  async findFeedback(tenant: string, targetKind: FeedbackRecord['targetKind'], targetId: string, metric: string): Promise<FeedbackRecord | undefined> {
    const row = this.selectFeedback.get(tenant, targetKind, targetId, metric);
    if (row === undefined) return undefined;
    const record: FeedbackRecord = {
      tenant: row.tenant,
      targetKind: row.target_kind,
      targetId: row.target_id,
      metric: row.metric,
      value: row.value,
      at: row.at,
      variants: JSON.parse(row.variants) as FeedbackRecord['variants'],
    };
    if (row.comment !== null) record.comment = row.comment;
    return record;
  }

  async readControl(experiment: string): Promise<ControlDocument | undefined> {
    checkExperimentName(experiment);
    const row = this.selectControl.get(experiment);
    return row === undefined ? undefined : { revision: row.revision, state: JSON.parse(row.state) };
  }

  async writeControl(experiment: string, expectedRevision: number, state: unknown): Promise<boolean> {
    checkExperimentName(experiment);
    checkRevision(expectedRevision);
    const json = controlJson(state);
    // Each statement is its own atomic step: the condition is in the statement itself.
    const result = expectedRevision === 0 ? this.insertControl.run(experiment, json) : this.updateControl.run(json, experiment, expectedRevision);
    return result.changes === 1;
  }

  async pinVariant(experiment: string, unit: string, variant: string, ttlSeconds: number): Promise<string> {
    checkExperimentName(experiment);
    checkId(unit, 'unit');
    checkExperimentName(variant, 'variant');
    const now = this.now();
    return this.pinTransaction(experiment, unit, variant, now, now + checkTtlSeconds(ttlSeconds, 'ttlSeconds') * 1000);
  }
}
