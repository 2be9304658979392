import type { CounterNaming, MetricStyle, PrometheusClient, SdkNaming } from '../models/index.ts';

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

// SDK metrics every polling worker exports (sdk-core crates/common/src/telemetry.rs; the Go and Java SDKs share them).
const SDK_COUNTER_MARKERS = ['temporal_request', 'temporal_long_request', 'temporal_workflow_completed'] as const;
const SDK_TIMER_MARKERS = [
  'temporal_long_request_latency',
  'temporal_request_latency',
  'temporal_workflow_task_execution_latency',
] as const;

/**
 * The SDK exporters' naming, apart from the server's: counters with or without `_total`, durations under
 * `_milliseconds`, `_seconds` or no suffix. A bare duration is read as milliseconds, sdk-core's default (the
 * TypeScript, Python, .NET and Ruby SDKs); a Go SDK exporting bare seconds needs its naming configured. Null when
 * no SDK metric exists.
 */
export function sdkNamingFromMetricNames(names: Iterable<string>): SdkNaming | null {
  const present = new Set(names);
  const total = SDK_COUNTER_MARKERS.some((name) => present.has(`${name}_total`));
  const bare = SDK_COUNTER_MARKERS.some((name) => present.has(name));
  const has = (suffix: string) => SDK_TIMER_MARKERS.some((name) => present.has(`${name}${suffix}_bucket`));
  const duration: Pick<SdkNaming, 'duration_unit' | 'duration_suffix'> | null = has('_milliseconds')
    ? { duration_unit: 'ms', duration_suffix: '_milliseconds' }
    : has('_seconds')
      ? { duration_unit: 'sec', duration_suffix: '_seconds' }
      : has('')
        ? { duration_unit: 'ms', duration_suffix: '' }
        : null;
  if (!total && !bare && duration === null) return null;
  return {
    // An sdk-core worker with `_total` next to a server exporting bare counters: the SDK's own form wins.
    counters: total ? 'total' : 'bare',
    ...(duration ?? { duration_unit: 'ms', duration_suffix: '' }),
  };
}

/** What the metric names say about a source's naming; any part is null when the names do not tell. */
export interface DetectedNaming {
  style: MetricStyle | null;
  counters: CounterNaming | null;
  sdk?: SdkNaming | null;
}

export function namingFromMetricNames(names: Iterable<string>): DetectedNaming {
  const list = [...names];
  return {
    style: styleFromMetricNames(list),
    counters: counterNamingFromMetricNames(list),
    sdk: sdkNamingFromMetricNames(list),
  };
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
