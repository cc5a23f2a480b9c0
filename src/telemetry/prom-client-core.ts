/**
 * The part of prom-client the metrics use. Its index also loads the Pushgateway (https, tls) and
 * the cluster aggregator (node:cluster, child_process), which a server that is scraped never needs.
 */

import type * as PromClient from 'prom-client';
import counterModule from 'prom-client/lib/counter.js';
import defaultMetricsModule from 'prom-client/lib/defaultMetrics.js';
import gaugeModule from 'prom-client/lib/gauge.js';
import histogramModule from 'prom-client/lib/histogram.js';
import registryModule from 'prom-client/lib/registry.js';

// Each file's module.exports is what the index re-exports under that name.
export const Registry = registryModule as typeof PromClient.Registry;
export type Registry = PromClient.Registry;
export const Counter = counterModule as typeof PromClient.Counter;
export type Counter<Labels extends string = string> = PromClient.Counter<Labels>;
export const Gauge = gaugeModule as typeof PromClient.Gauge;
export type Gauge<Labels extends string = string> = PromClient.Gauge<Labels>;
export const Histogram = histogramModule as typeof PromClient.Histogram;
export type Histogram<Labels extends string = string> = PromClient.Histogram<Labels>;
export const collectDefaultMetrics = defaultMetricsModule as typeof PromClient.collectDefaultMetrics;
