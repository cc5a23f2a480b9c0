/**
 * Calibrates `plan deploy` from a `switchboard loadtest --json` result: per-pod capacity
 * from the peak in-flight count of a run without errors, and a turn's service time from
 * the measured end-to-end latency. Fields are read defensively: the result's shape is
 * another tool's and may grow or lose fields.
 */

import { readFileSync } from 'node:fs';

export interface LoadtestCalibration {
  file: string;
  podCapacity: number;
  /** A distribution spec for the service time, or null when the result has no end-to-end latency. */
  serviceTime: string | null;
  measured: {
    peakInFlight: number | null;
    concurrency: number | null;
    throughputRps: number | null;
    errors: number | null;
    e2e: { p50: number; p90: number | null; p99: number; max: number | null } | null;
  };
  /** How the numbers were derived and what they assume. */
  notes: string[];
}

export class LoadtestCalibrationError extends Error {
  override readonly name = 'LoadtestCalibrationError';
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const finiteNumber = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function calibrationFromLoadtest(result: unknown, file: string): LoadtestCalibration {
  if (!isObject(result)) throw new LoadtestCalibrationError(`${file}: expected the JSON object that \`switchboard loadtest --json\` writes`);
  const notes: string[] = [];
  const loop = isObject(result.loop) ? result.loop : {};
  const peakInFlight = finiteNumber(result.peakInFlight);
  const concurrency = finiteNumber(result.concurrency) ?? finiteNumber(loop.concurrency);
  const throughputRps = finiteNumber(result.throughputRps);
  const errors = finiteNumber(result.errors);

  if (errors === null) notes.push('the result has no "errors" count: the run is assumed to have had none');
  if (errors !== null && errors > 0) {
    throw new LoadtestCalibrationError(
      `${file}: the load test had ${errors} error(s), so its peak in-flight (${peakInFlight ?? 'unknown'}) is not a capacity the pod held cleanly; rerun it at a lower --concurrency, or give --pod-capacity yourself`,
    );
  }
  let capacity = peakInFlight;
  if (capacity === null || capacity < 1) {
    if (concurrency === null || concurrency < 1) throw new LoadtestCalibrationError(`${file}: no usable "peakInFlight" (or "concurrency") to take the pod's capacity from`);
    capacity = concurrency;
    notes.push(`no usable "peakInFlight": the configured concurrency ${concurrency} is taken instead`);
  }
  const podCapacity = Math.floor(capacity);
  notes.push(
    `pod capacity ${podCapacity} = the highest number of turns in flight during a load test with no errors against one Switchboard process; ` +
      'a lower bound (the test did not push further) that assumes one pod behaves like the tested process and the LLM backend keeps up',
  );
  if (concurrency !== null && peakInFlight !== null && peakInFlight < concurrency) {
    notes.push(`the run reached ${peakInFlight} in flight of the ${concurrency} it aimed for: the generator, not the pod, may have been the limit`);
  }

  const latency = isObject(result.latencyMs) ? result.latencyMs : {};
  const e2eRaw = isObject(latency.e2e) ? latency.e2e : null;
  let e2e: LoadtestCalibration['measured']['e2e'] = null;
  let serviceTime: string | null = null;
  if (e2eRaw) {
    const p50 = finiteNumber(e2eRaw.p50);
    const p99 = finiteNumber(e2eRaw.p99);
    if (p50 !== null && p99 !== null && p50 > 0 && p99 >= p50) {
      e2e = { p50, p90: finiteNumber(e2eRaw.p90), p99, max: finiteNumber(e2eRaw.max) };
      serviceTime = p99 > p50 * 1.001 ? `lognormal:${round(p50)}ms,${round(p99)}ms` : `fixed:${round(p50)}ms`;
      notes.push(`service time ${serviceTime}: a log-normal through the measured end-to-end p50 (${round(p50)} ms) and p99 (${round(p99)} ms) at that load, used for a turn on both platforms`);
    } else {
      notes.push('latencyMs.e2e lacks a usable p50 and p99: the service time stays at its default');
    }
  } else {
    notes.push('no latencyMs.e2e in the result: the service time stays at its default');
  }
  return { file, podCapacity, serviceTime, measured: { peakInFlight, concurrency, throughputRps, errors, e2e }, notes };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export function readLoadtestCalibration(file: string): LoadtestCalibration {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LoadtestCalibrationError(`cannot read load-test result ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LoadtestCalibrationError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return calibrationFromLoadtest(parsed, file);
}
