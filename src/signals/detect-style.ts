import type { PrometheusClient } from '../clients/prometheus.ts';
import type { CounterNaming, MetricStyle } from '../models/index.ts';

// Names only one exporter produces (reference §1.2, §16.2): OTel adds units and `_ratio`, tally does not.
const STYLE_MARKERS: Record<MetricStyle, readonly string[]> = {
  otel: [
    'state_transition_count_ratio_count',
    'service_latency_milliseconds_bucket',
    'persistence_latency_milliseconds_bucket',
    'task_latency_queue_milliseconds_bucket',
  ],
  tally: [
    'state_transition_count_count',
    'service_latency_bucket',
    'persistence_latency_bucket',
    'task_latency_queue_bucket',
  ],
};

// Counters every serving Temporal cluster increments within seconds of starting (frontend, history, persistence).
const COUNTER_MARKERS = ['service_requests', 'persistence_requests', 'task_requests', 'client_requests'] as const;

/** Which style a set of metric names looks like; null when neither style's marker names are present. */
export function styleFromMetricNames(names: Iterable<string>): MetricStyle | null {
  const present = new Set(names);
  const score = (style: MetricStyle) => STYLE_MARKERS[style].filter((name) => present.has(name)).length;
  const otel = score('otel');
  const tally = score('tally');
  if (otel === 0 && tally === 0) return null;
  return otel >= tally ? 'otel' : 'tally';
}

/**
 * Whether counters carry `_total`; null when no marker counter exists in either form. A tie (a store holding both
 * forms, e.g. across a pipeline change) is `total`, the documented form.
 */
export function counterNamingFromMetricNames(names: Iterable<string>): CounterNaming | null {
  const present = new Set(names);
  const total = COUNTER_MARKERS.filter((name) => present.has(`${name}_total`)).length;
  const bare = COUNTER_MARKERS.filter((name) => present.has(name)).length;
  if (total === 0 && bare === 0) return null;
  return bare > total ? 'bare' : 'total';
}

/** What the metric names say about a source's naming; either part is null when the names do not tell. */
export interface DetectedNaming {
  style: MetricStyle | null;
  counters: CounterNaming | null;
}

export function namingFromMetricNames(names: Iterable<string>): DetectedNaming {
  const list = [...names];
  return { style: styleFromMetricNames(list), counters: counterNamingFromMetricNames(list) };
}

/**
 * Detect the exporter's style and counter naming from `/api/v1/label/__name__/values`.
 * @throws AppError from the Prometheus client when the names cannot be listed.
 */
export async function detectMetricNaming(input: {
  prometheus: PrometheusClient;
  signal?: AbortSignal;
}): Promise<DetectedNaming> {
  const names = await input.prometheus.metricNames(input.signal ? { signal: input.signal } : {});
  return namingFromMetricNames(names);
}

/**
 * Detect the Temporal exporter's naming style from `/api/v1/label/__name__/values`.
 * @throws AppError from the Prometheus client when the names cannot be listed.
 */
export async function detectMetricStyle(input: {
  prometheus: PrometheusClient;
  signal?: AbortSignal;
}): Promise<MetricStyle | null> {
  return (await detectMetricNaming(input)).style;
}
