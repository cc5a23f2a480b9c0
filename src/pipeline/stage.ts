/** A pipeline stage: a named small function over one request's context and the narrow services it declares. */

/** `stop` ends the run early (for example, a stored reply was found for a retried turn). */
export type StageResult = void | 'stop';

export interface Stage<Context, Services> {
  readonly name: string;
  run(context: Context, services: Services): StageResult | Promise<StageResult>;
}
