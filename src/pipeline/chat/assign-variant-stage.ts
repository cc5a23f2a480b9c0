/** assign-variant: the experiments a chat completion is in, by its route and its session (`X-Session-Id`), tenant or key; their parameters go into the request. */

import { SwitchboardError } from '../../errors.js';
import type { RequestExperiments } from '../../experiments/request-experiments.js';
import type { ChatServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { ChatContext } from './chat-context.js';

/** A chat completion has no session of its own: a client that wants session-sticky variants names one. */
export const sessionHeader = 'x-session-id';
const sessionPattern = /^[\x21-\x7e]{1,200}$/;

function apply(context: ChatContext, experiments: RequestExperiments | undefined): void {
  if (!experiments) return;
  context.experiments = experiments;
  context.request = experiments.applyToChat(context.request);
}

export const assignVariantStage: Stage<ChatContext, Pick<ChatServices, 'experiments'>> = {
  name: 'assign-variant',
  run(context, services) {
    if (!services.experiments.active) return;
    const caller = context.caller!;
    const session = context.headers?.header(sessionHeader);
    if (session !== undefined && !sessionPattern.test(session)) {
      throw new SwitchboardError('invalid_request', 'The X-Session-Id header must be 1-200 visible ASCII characters.', { param: 'X-Session-Id' });
    }
    const assigned = services.experiments.assign({
      route: context.route,
      units: { tenant: caller.tenant, api_key: caller.id, ...(session ? { session } : {}) },
      tenant: caller.tenant,
    });
    // Synchronous unless a bandit must look up a unit's pin in the store.
    if (assigned instanceof Promise) return assigned.then((experiments) => apply(context, experiments));
    apply(context, assigned);
  },
};
