/** Checks what callers hand to an experiment store, so every backend refuses bad input the same way. */

import { SwitchboardError } from '../errors.js';
import type { ExposureRecord, FeedbackRecord, StatIncrement, VariantRef } from './store-types.js';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const metricPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Ids and unit keys become parts of keys in every backend: bounded, and without control characters. */
const idPattern = /^[\x21-\x7e]{1,256}$/;

function invalid(param: string, message: string): SwitchboardError {
  return new SwitchboardError('invalid_request', message, { param });
}

export function checkExperimentName(value: unknown, param = 'experiment'): string {
  if (typeof value !== 'string' || !namePattern.test(value)) throw invalid(param, `${param} must be 1-64 letters, digits, ".", "_" or "-"`);
  return value;
}

export function checkMetricName(value: unknown, param = 'metric'): string {
  if (typeof value !== 'string' || !metricPattern.test(value)) throw invalid(param, `${param} must be 1-128 letters, digits, ".", "_", ":" or "-"`);
  return value;
}

export function checkId(value: unknown, param: string): string {
  if (typeof value !== 'string' || !idPattern.test(value)) throw invalid(param, `${param} must be 1-256 visible ASCII characters`);
  return value;
}

function checkFinite(value: unknown, param: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(param, `${param} must be a finite number`);
  return value;
}

export function checkIncrement(increment: StatIncrement, index = 0): StatIncrement {
  const param = `increments[${index}]`;
  if (typeof increment !== 'object' || increment === null) throw invalid(param, `${param} must be an object`);
  checkExperimentName(increment.experiment, `${param}.experiment`);
  checkExperimentName(increment.variant, `${param}.variant`);
  checkMetricName(increment.metric, `${param}.metric`);
  checkFinite(increment.count, `${param}.count`);
  checkFinite(increment.sum, `${param}.sum`);
  if (checkFinite(increment.sumSquares, `${param}.sumSquares`) < 0) throw invalid(`${param}.sumSquares`, `${param}.sumSquares must not be negative`);
  return increment;
}

export function checkIncrements(increments: readonly StatIncrement[]): readonly StatIncrement[] {
  if (!Array.isArray(increments)) throw invalid('increments', 'increments must be an array');
  increments.forEach(checkIncrement);
  return increments;
}

function checkVariantRefs(variants: unknown, param: string): VariantRef[] {
  if (!Array.isArray(variants)) throw invalid(param, `${param} must be an array`);
  return variants.map((ref: VariantRef, index) => {
    if (typeof ref !== 'object' || ref === null) throw invalid(`${param}[${index}]`, `${param}[${index}] must be an object`);
    return { experiment: checkExperimentName(ref.experiment, `${param}[${index}].experiment`), variant: checkExperimentName(ref.variant, `${param}[${index}].variant`) };
  });
}

export function checkExposure(record: ExposureRecord): ExposureRecord {
  if (typeof record !== 'object' || record === null) throw invalid('record', 'exposure record must be an object');
  const checked: ExposureRecord = {
    id: checkId(record.id, 'id'),
    tenant: checkId(record.tenant, 'tenant'),
    at: checkFinite(record.at, 'at'),
    variants: checkVariantRefs(record.variants, 'variants'),
  };
  if (record.sessionId !== undefined) checked.sessionId = checkId(record.sessionId, 'sessionId');
  return checked;
}

export const maxCommentChars = 4000;

export function checkFeedback(feedback: FeedbackRecord): FeedbackRecord {
  if (typeof feedback !== 'object' || feedback === null) throw invalid('feedback', 'feedback must be an object');
  if (feedback.targetKind !== 'turn' && feedback.targetKind !== 'session') throw invalid('targetKind', 'targetKind must be turn or session');
  const checked: FeedbackRecord = {
    tenant: checkId(feedback.tenant, 'tenant'),
    targetKind: feedback.targetKind,
    targetId: checkId(feedback.targetId, 'targetId'),
    metric: checkMetricName(feedback.metric),
    value: checkFinite(feedback.value, 'value'),
    at: checkFinite(feedback.at, 'at'),
    variants: checkVariantRefs(feedback.variants, 'variants'),
  };
  if (feedback.comment !== undefined) {
    if (typeof feedback.comment !== 'string' || feedback.comment.length > maxCommentChars) throw invalid('comment', `comment must be a string of at most ${maxCommentChars} characters`);
    checked.comment = feedback.comment;
  }
  return checked;
}

export function checkRevision(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid('expectedRevision', 'expectedRevision must be a non-negative integer');
  return value;
}

/** The JSON text of a control state; refuses what JSON cannot hold. */
export function controlJson(state: unknown): string {
  const text = JSON.stringify(state) as string | undefined;
  if (text === undefined) throw invalid('state', 'state must be JSON');
  return text;
}

/** Totals keyed by variant and metric: the shape every backend sums into. */
export function statKey(variant: string, metric: string): string {
  return `${variant}\u0000${metric}`;
}

/**
 * Thrown by a backend whose increments are separate writes (DynamoDB) when only some failed:
 * `failed` lists those not added, so a caller may retry exactly them without counting any twice.
 */
export class IncompleteStatsError extends Error {
  override readonly name = 'IncompleteStatsError';
  constructor(
    readonly failed: readonly StatIncrement[],
    cause: unknown,
  ) {
    super(`${failed.length} statistic increments were not added: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}
