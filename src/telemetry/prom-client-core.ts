/**
 * The part of prom-client the metrics use. Its index also loads the Pushgateway (https, tls) and
 * the cluster aggregator (node:cluster, child_process), which a server that is scraped never needs.
 */

import type * as PromClient from 'prom-client';
import CounterClass from 'prom-client/lib/counter.js';
import collectDefaultMetricsFunction from 'prom-client/lib/defaultMetrics.js';
import GaugeClass from 'prom-client/lib/gauge.js';
import HistogramClass from 'prom-client/lib/histogram.js';
import RegistryClass from 'prom-client/lib/registry.js';

export const Registry = RegistryClass;
export type Registry = PromClient.Registry;
export const Counter = CounterClass;
export type Counter<Labels extends string = string> = PromClient.Counter<Labels>;
export const Gauge = GaugeClass;
export type Gauge<Labels extends string = string> = PromClient.Gauge<Labels>;
export const Histogram = HistogramClass;
export type Histogram<Labels extends string = string> = PromClient.Histogram<Labels>;
export const collectDefaultMetrics = collectDefaultMetricsFunction;
