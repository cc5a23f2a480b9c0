/** Runs stages in order over one context, timing each and tracing each as a child of the request's span, until one says stop or all ran. */

import { spanErrorType } from '../telemetry/span-error-type.js';
import type { Span } from '../telemetry/tracing.js';
import type { RequestContext } from './request-context.js';
import type { Stage, StageResult } from './stage.js';
import type { StageTimer } from './stage-timer.js';

function failed(span: Span, error: unknown): void {
  if (span.enabled) span.fail(spanErrorType(error), error instanceof Error ? error.message : undefined);
}

/** Resolves true when a stage stopped the run early. */
export async function runStages<Context extends RequestContext, Services>(stages: readonly Stage<Context, Services>[], context: Context, services: Services, timer: StageTimer): Promise<boolean> {
  for (const stage of stages) {
    // With tracing off this is the no-op span: no allocation, and every call on it does nothing.
    const span = context.span.child(stage.name);
    const started = performance.now();
    let result: StageResult;
    try {
      // A stage that finished synchronously (a result is undefined or 'stop', a promise an object) is not
      // awaited: an await of a plain value still costs a microtask turn.
      const ran = stage.run(context, services, span);
      result = typeof ran === 'object' ? await ran : ran;
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      timer.record(stage.name, performance.now() - started);
      span.end();
    }
    if (result === 'stop') return true;
  }
  return false;
}

/** Runs one stage, timed and traced; for the lifecycle's hooks, which run stage by stage with conditions between. */
export async function runStage<Context extends RequestContext, Services>(stage: Stage<Context, Services>, context: Context, services: Services, timer: StageTimer): Promise<void> {
  const span = context.span.child(stage.name);
  const started = performance.now();
  try {
    const ran = stage.run(context, services, span);
    if (typeof ran === 'object') await ran;
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    timer.record(stage.name, performance.now() - started);
    span.end();
  }
}
