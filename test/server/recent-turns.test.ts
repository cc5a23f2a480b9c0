import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TurnReply } from '../../src/pipeline/turn/turn-context.js';
import { RecentTurns } from '../../src/server/console/recent-turns.js';

function reply(id: string): TurnReply {
  return {
    object: 'session.turn',
    turn_id: id,
    session_id: 's1',
    version: 1,
    message: { role: 'assistant', content: 'hi' },
    intent: { name: 'billing', confidence: 0.9, margin: 0.5, tier: 'rules', source: 'rules' },
    agent: 'billing',
    route: { name: 'demo', pool: 'p', instance: 'i', rule: 'default', attempts: 1 },
    usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    steps: 1,
    tool_calls: [],
    citations: [],
    experiments: [{ experiment: 'e', variant: 'b', counted: true }],
    timings: {},
  };
}

describe('the recent turns ring (console)', () => {
  it('keeps the last turns, newest first, each with its waterfall, model call and variants', () => {
    const recent = new RecentTurns(2);
    recent.add('t', reply('turn_1'), { authenticate: 1, 'load-session': 2 }, false);
    recent.add('t', reply('turn_2'), { authenticate: 0.5, 'load-session': 1.25, 'run-agent': 3 }, false);
    recent.add('t2', reply('turn_3'), { authenticate: 1 }, true);
    const listed = recent.list();
    assert.deepEqual(listed.map((turn) => turn.turn_id), ['turn_3', 'turn_2']);
    const [third, second] = listed;
    assert.equal(third!.status, 'replayed');
    assert.equal(third!.tenant, 't2');
    assert.deepEqual(third!.model_calls, [], 'a replay made no model call');
    assert.deepEqual(second!.stages, [
      { name: 'authenticate', start_ms: 0, duration_ms: 0.5 },
      { name: 'load-session', start_ms: 0.5, duration_ms: 1.25 },
      { name: 'run-agent', start_ms: 1.75, duration_ms: 3 },
    ]);
    assert.deepEqual(second!.model_calls, [{ route: 'demo', pool: 'p', instance: 'i', rule: 'default', attempts: 1, prompt_tokens: 3, completion_tokens: 4 }]);
    assert.deepEqual(second!.intent, { name: 'billing', confidence: 0.9, tier: 'rules' });
    assert.deepEqual(second!.experiments, [{ experiment: 'e', variant: 'b' }], 'only the experiment and variant, not `counted`');
    assert.equal(typeof second!.at, 'number');
  });
});
