import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Metrics } from '../../src/telemetry/metrics.js';

/** The metrics load prom-client's registry and metric types, not its Pushgateway (https, tls) or cluster aggregator (node:cluster). */
describe('the metrics load only the prom-client they use', () => {
  it('exposes counters, histograms and the default metrics without loading the Pushgateway or the cluster aggregator', async () => {
    const metrics = new Metrics();
    metrics.requests.labels('/v1/chat/completions', '200', 'demo').inc();
    metrics.stageDuration.labels('call-model').observe(0.02);
    const text = await metrics.registry.metrics();
    assert.match(text, /switchboard_requests_total\{route="\/v1\/chat\/completions",code="200",model_route="demo"\} 1/);
    assert.match(text, /switchboard_stage_duration_seconds_bucket\{le="0.025",stage="call-model"\} 1/);
    assert.match(text, /process_cpu_user_seconds_total/);
    const promClient = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/node_modules/prom-client/'));
    assert.ok(promClient.some((path) => path.endsWith('/lib/registry.js')), `prom-client's registry was loaded: ${promClient.join(', ')}`);
    assert.deepEqual(promClient.filter((path) => /\/lib\/(pushgateway|cluster)\.js$|\/prom-client\/index\.js$/.test(path)), []);
  });
});
