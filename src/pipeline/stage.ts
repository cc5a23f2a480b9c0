/** A pipeline stage: a named small function over one request's context and the narrow services it declares. */

import type { Span } from '../telemetry/tracing.js';

/** `stop` ends the run early (for example, a stored reply was found for a retried turn). */
export type StageResult = void | 'stop';

export interface Stage<Context, Services> {
  readonly name: string;
  /** `span` is this stage's own span (the no-op span when tracing is off): the parent of whatever the stage calls. */
  run(context: Context, services: Services, span: Span): StageResult | Promise<StageResult>;
}
