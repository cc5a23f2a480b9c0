/** A pipeline stage: a named small function over the turn context. */

import type { Runtime } from '../runtime.js';
import type { StageName, TurnContext } from './turn-context.js';

export interface Stage {
  readonly name: StageName;
  run(context: TurnContext, runtime: Runtime): Promise<void> | void;
}
