/** The experiments part of the store contract: additive statistics under concurrency, exposures, idempotent feedback, compare-and-set state, pins. */

import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ExposureRecord, FeedbackRecord, StatIncrement, Store } from '../../src/stores/store-types.js';
import { rejectsAsInvalid } from './store-assertions.js';

interface Clock {
  readonly current: number;
  advance(milliseconds: number): void;
}

function increment(variant: string, metric: string, value: number, experiment = 'model-v2'): StatIncrement {
  return { experiment, variant, metric, count: 1, sum: value, sumSquares: value * value };
}

export function runExperimentStoreContract(subject: () => { store: Store; clock: Clock }): void {
  it('adds statistics exactly, whatever the concurrency', async () => {
    const { store } = subject();
    const experiments = store.experiments;
    await experiments.addStats([increment('control', 'latency_ms', 100), increment('control', 'latency_ms', 300), increment('v2', 'error_rate', 1)]);
    // 50 writers at once, each adding two statistics: none may be lost.
    await Promise.all(Array.from({ length: 50 }, (_, index) => experiments.addStats([increment('control', 'latency_ms', index), increment('v2', 'cost_usd', 0.000125)])));
    const stats = await experiments.stats('model-v2');
    const byKey = new Map(stats.map((row) => [`${row.variant}/${row.metric}`, row]));
    const latency = byKey.get('control/latency_ms')!;
    assert.equal(latency.count, 52);
    assert.equal(latency.sum, 400 + (49 * 50) / 2);
    assert.equal(latency.sumSquares, 100 * 100 + 300 * 300 + Array.from({ length: 50 }, (_, index) => index * index).reduce((sum, value) => sum + value, 0));
    const cost = byKey.get('v2/cost_usd')!;
    assert.equal(cost.count, 50);
    assert.ok(Math.abs(cost.sum - 50 * 0.000125) < 1e-12, `cost sum ${cost.sum}`);
    assert.equal(byKey.get('v2/error_rate')?.count, 1);
    assert.equal(stats.length, 3);
    assert.deepEqual(await experiments.stats('other-experiment'), []);
  });

  it('refuses malformed statistics and writes none of the batch', async () => {
    const { store } = subject();
    await rejectsAsInvalid(store.experiments.addStats([increment('control', 'latency_ms', 1), { ...increment('control', 'latency_ms', 1), sum: Number.NaN }]), 'increments[1].sum');
    await rejectsAsInvalid(store.experiments.addStats([{ ...increment('control', 'latency_ms', 1), variant: 'has space' }]), 'increments[0].variant');
    await rejectsAsInvalid(store.experiments.addStats([{ ...increment('control', 'latency_ms', 1), metric: '' }]), 'increments[0].metric');
    assert.deepEqual(await store.experiments.stats('model-v2'), []);
  });

  it('keeps which variants served a turn for its tenant only, and the session\'s latest, until they expire', async () => {
    const { store, clock } = subject();
    const first: ExposureRecord = { id: 'turn_1', tenant: 'acme', sessionId: 's1', at: clock.current, variants: [{ experiment: 'model-v2', variant: 'v2' }] };
    await store.experiments.recordExposure(first, 60);
    clock.advance(10);
    const second: ExposureRecord = { id: 'turn_2', tenant: 'acme', sessionId: 's1', at: clock.current, variants: [] };
    await store.experiments.recordExposure(second, 60);
    await store.experiments.recordExposure({ id: 'chatcmpl-3', tenant: 'acme', at: clock.current, variants: [{ experiment: 'model-v2', variant: 'control' }] }, 60);
    assert.deepEqual(await store.experiments.findExposure('acme', 'turn_1'), first);
    assert.deepEqual(await store.experiments.findExposure('acme', 'chatcmpl-3'), { id: 'chatcmpl-3', tenant: 'acme', at: clock.current, variants: [{ experiment: 'model-v2', variant: 'control' }] });
    assert.equal(await store.experiments.findExposure('globex', 'turn_1'), undefined);
    assert.equal(await store.experiments.findExposure('acme', 'turn_404'), undefined);
    // The second had no variants: the session's latest counted one is still the first.
    assert.deepEqual(await store.experiments.latestExposure('acme', 's1'), first);
    clock.advance(10);
    const third: ExposureRecord = { id: 'turn_4', tenant: 'acme', sessionId: 's1', at: clock.current, variants: [{ experiment: 'model-v2', variant: 'control' }] };
    await store.experiments.recordExposure(third, 60);
    assert.deepEqual(await store.experiments.latestExposure('acme', 's1'), third);
    assert.deepEqual(await store.experiments.findExposure('acme', 'turn_2'), second);
    assert.equal(await store.experiments.latestExposure('globex', 's1'), undefined);
    clock.advance(61_000);
    assert.equal(await store.experiments.findExposure('acme', 'turn_1'), undefined);
    assert.equal(await store.experiments.latestExposure('acme', 's1'), undefined);
    await rejectsAsInvalid(store.experiments.recordExposure({ ...first, id: '' }, 60), 'id');
    await rejectsAsInvalid(store.experiments.recordExposure({ ...first, variants: [{ experiment: 'x y', variant: 'v' }] }, 60), 'variants[0].experiment');
  });

  it('counts feedback once per target and metric, with its increments, even when posted at once many times', async () => {
    const { store, clock } = subject();
    const feedback: FeedbackRecord = {
      tenant: 'acme',
      targetKind: 'turn',
      targetId: 'turn_1',
      metric: 'feedback.thumbs_up',
      value: 1,
      comment: 'great',
      at: clock.current,
      variants: [{ experiment: 'model-v2', variant: 'v2' }],
    };
    const increments = [increment('v2', 'feedback.thumbs_up', 1)];
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, index) => store.experiments.recordFeedback({ ...feedback, value: index === 0 ? 1 : 0 }, index === 0 ? increments : [increment('v2', 'feedback.thumbs_up', 0)])));
    assert.equal(outcomes.filter((outcome) => outcome === 'recorded').length, 1);
    const stats = await store.experiments.stats('model-v2');
    assert.deepEqual(
      stats.map(({ variant, metric, count }) => ({ variant, metric, count })),
      [{ variant: 'v2', metric: 'feedback.thumbs_up', count: 1 }],
    );
    const stored = await store.experiments.findFeedback('acme', 'turn', 'turn_1', 'feedback.thumbs_up');
    assert.equal(stored?.value, stats[0]!.sum, 'the stored value is the one counted');
    // Another metric, or the same turn id as a session, is another target.
    assert.equal(await store.experiments.recordFeedback({ ...feedback, metric: 'feedback.rating', value: 4 }, [increment('v2', 'feedback.rating', 4)]), 'recorded');
    assert.equal(await store.experiments.recordFeedback({ ...feedback, targetKind: 'session' }, []), 'recorded');
    assert.equal(await store.experiments.findFeedback('globex', 'turn', 'turn_1', 'feedback.thumbs_up'), undefined);
    assert.deepEqual(await store.experiments.findFeedback('acme', 'turn', 'turn_1', 'feedback.rating'), { ...feedback, metric: 'feedback.rating', value: 4 });
    await rejectsAsInvalid(store.experiments.recordFeedback({ ...feedback, targetKind: 'user' as 'turn' }, []), 'targetKind');
    await rejectsAsInvalid(store.experiments.recordFeedback({ ...feedback, value: Number.POSITIVE_INFINITY }, []), 'value');
  });

  it('writes control state only on the revision read: one of many concurrent writers wins', async () => {
    const { store } = subject();
    assert.equal(await store.experiments.readControl('model-v2'), undefined);
    assert.equal(await store.experiments.writeControl('model-v2', 0, { status: 'running', step: 0 }), true);
    assert.equal(await store.experiments.writeControl('model-v2', 0, { status: 'running', step: 9 }), false);
    assert.deepEqual(await store.experiments.readControl('model-v2'), { revision: 1, state: { status: 'running', step: 0 } });
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => store.experiments.writeControl('model-v2', 1, { status: 'running', step: index + 1 })));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true) + 1;
    assert.deepEqual(await store.experiments.readControl('model-v2'), { revision: 2, state: { status: 'running', step: winner } });
    assert.equal(await store.experiments.writeControl('model-v2', 7, {}), false);
    await rejectsAsInvalid(store.experiments.writeControl('model-v2', -1, {}), 'expectedRevision');
    assert.equal(await store.experiments.readControl('another'), undefined);
  });

  it('pins a unit to the variant it got first', async () => {
    const { store } = subject();
    const pinned = await Promise.all(['a', 'b', 'c', 'a', 'b'].map((variant) => store.experiments.pinVariant('bandit', 'session:s1', variant, 60)));
    assert.equal(new Set(pinned).size, 1);
    assert.equal(await store.experiments.pinVariant('bandit', 'session:s1', 'z', 60), pinned[0]);
    assert.equal(await store.experiments.pinVariant('bandit', 'session:s2', 'z', 60), 'z');
    assert.equal(await store.experiments.pinVariant('other', 'session:s1', 'y', 60), 'y');
  });
}
