/** Runs stages in order over one context, timing each and tracing each as a child of the request's span, until one says stop or all ran. */

import { spanErrorType } from '../telemetry/span-error-type.js';
import type { RequestContext } from './request-context.js';
import type { Stage, StageResult } from './stage.js';
import type { StageTimer } from './stage-timer.js';

/** Resolves true when a stage stopped the run early. */
export async function runStages<Context extends RequestContext, Services>(stages: readonly Stage<Context, Services>[], context: Context, services: Services, timer: StageTimer): Promise<boolean> {
  for (const stage of stages) {
    if ((await runStage(stage, context, services, timer)) === 'stop') return true;
  }
  return false;
}

/** Runs one stage, timed and traced; for the lifecycle's hooks, which run stage by stage with conditions between. */
export async function runStage<Context extends RequestContext, Services>(stage: Stage<Context, Services>, context: Context, services: Services, timer: StageTimer): Promise<StageResult> {
  // With tracing off this is the no-op span: no allocation, and every call below does nothing.
  const span = context.span.child(stage.name);
  const started = performance.now();
  try {
    return await stage.run(context, services, span);
  } catch (error) {
    if (span.enabled) span.fail(spanErrorType(error), error instanceof Error ? error.message : undefined);
    throw error;
  } finally {
    timer.record(stage.name, performance.now() - started);
    span.end();
  }
}
