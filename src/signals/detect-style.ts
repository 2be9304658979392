import type { PrometheusClient } from '../clients/prometheus.ts';
import type { MetricStyle } from '../models/index.ts';

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
 * Detect the Temporal exporter's naming style from `/api/v1/label/__name__/values`.
 * @throws AppError from the Prometheus client when the names cannot be listed.
 */
export async function detectMetricStyle(input: {
  prometheus: PrometheusClient;
  signal?: AbortSignal;
}): Promise<MetricStyle | null> {
  const names = await input.prometheus.metricNames(input.signal ? { signal: input.signal } : {});
  return styleFromMetricNames(names);
}
