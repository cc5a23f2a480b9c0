/** Runs stages in order over one context, timing each, until one says stop or all ran. */

import type { Stage } from './stage.js';
import type { StageTimer } from './stage-timer.js';

/** Resolves true when a stage stopped the run early. */
export async function runStages<Context, Services>(stages: readonly Stage<Context, Services>[], context: Context, services: Services, timer: StageTimer): Promise<boolean> {
  for (const stage of stages) {
    const started = performance.now();
    let result;
    try {
      result = await stage.run(context, services);
    } finally {
      timer.record(stage.name, performance.now() - started);
    }
    if (result === 'stop') return true;
  }
  return false;
}

/** Runs one stage, timed; for the lifecycle's hooks, which run stage by stage with conditions between. */
export async function runStage<Context, Services>(stage: Stage<Context, Services>, context: Context, services: Services, timer: StageTimer): Promise<void> {
  const started = performance.now();
  try {
    await stage.run(context, services);
  } finally {
    timer.record(stage.name, performance.now() - started);
  }
}
