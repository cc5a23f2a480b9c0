/** POST /v1/feedback: a named metric about a turn (or completion) or a session, counted once per target and metric for the variants that served it. */

import { SwitchboardError } from '../../errors.js';
import { feedbackRequestSchema } from '../request-schemas.js';
import { defineRoute } from '../route-spec.js';

export const feedbackRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/feedback',
  auth: 'key',
  body: { schema: feedbackRequestSchema },
  async handle({ exchange, context, body, services }) {
    const tenant = context.caller!.tenant;
    if (body.session_id !== undefined && !(await services.sessions.get(tenant, body.session_id))) {
      throw new SwitchboardError('session_not_found', `No session "${body.session_id.slice(0, 200)}".`, { param: 'session_id' });
    }
    const value = typeof body.value === 'boolean' ? (body.value ? 1 : 0) : body.value;
    const { recorded, feedback } = await services.experiments.feedback({
      tenant,
      metric: body.metric,
      value,
      ...(body.turn_id === undefined ? {} : { turnId: body.turn_id }),
      ...(body.session_id === undefined ? {} : { sessionId: body.session_id }),
      ...(body.comment === undefined ? {} : { comment: body.comment }),
    });
    exchange.respond(
      recorded ? 201 : 200,
      JSON.stringify({
        object: 'feedback',
        [feedback.targetKind === 'turn' ? 'turn_id' : 'session_id']: feedback.targetId,
        metric: body.metric,
        value: feedback.value,
        comment: feedback.comment ?? null,
        at: feedback.at,
        // A second post for the same target and metric changes nothing: the first one stands.
        duplicate: !recorded,
        counted_for: feedback.variants,
      }),
    );
  },
});
