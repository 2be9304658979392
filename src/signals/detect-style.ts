import type { CounterNaming, MetricStyle, PrometheusClient, SdkNaming, TimerUnit } from '../models/index.ts';
import type { LabelMatcher } from './promql.ts';
import { formatMatchers, vectorSelector } from './promql.ts';

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

// Timers every serving server records (frontend requests, persistence calls).
const TIMER_MARKERS = ['service_latency', 'persistence_latency'] as const;

/**
 * The server's timer unit as far as names tell: OTel with `recordTimerInSeconds` names timers `_seconds_*`. Bare
 * `_bucket` names (tally, or OTel with `withoutUnitSuffix`) need the bucket bounds: see `timerUnitFromBuckets`.
 */
export function timerUnitFromMetricNames(names: Iterable<string>, style: MetricStyle): TimerUnit | null {
  if (style === 'tally') return null;
  const present = new Set(names);
  const has = (suffix: string) => TIMER_MARKERS.some((name) => present.has(`${name}${suffix}_bucket`));
  if (has('_milliseconds')) return 'ms';
  return has('_seconds') ? 'sec' : null;
}

/**
 * Whether bare `_bucket` timers count seconds or milliseconds, from their bounds: Temporal's default timer buckets
 * start at 1 ms, which tally writes as 0.001 and the OTel exporter without unit suffix as 1. Null when the server
 * exports no such timer or the query fails (the style's default applies).
 */
export async function timerUnitFromBuckets(input: {
  prometheus: PrometheusClient;
  /** The cluster's own matchers: on a shared Prometheus another cluster's exporter must not decide. */
  matchers?: readonly LabelMatcher[];
  /** When to look (the observed instant, or a backtest's end); the buckets are searched over the 15 minutes before. */
  timeMs?: number;
  signal?: AbortSignal;
}): Promise<TimerUnit | null> {
  try {
    const result = await input.prometheus.query({
      query: `count by (le) (last_over_time(${vectorSelector('service_latency_bucket', input.matchers ?? [])}[15m]))`,
      ...(input.timeMs === undefined ? {} : { timeMs: input.timeMs }),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    if (result.resultType !== 'vector') return null;
    const bounds = result.series.map((s) => Number(s.metric['le'])).filter((le) => Number.isFinite(le) && le > 0);
    if (bounds.length === 0) return null;
    return Math.min(...bounds) < 0.5 ? 'sec' : 'ms';
  } catch {
    return null;
  }
}

const SDK_SERIES_NAMES = new RegExp(
  `^(?:${[...SDK_COUNTER_MARKERS.map((name) => `${name}(?:_total)?`), ...SDK_TIMER_MARKERS.map((name) => `${name}(?:_milliseconds|_seconds)?_bucket`)].join('|')})$`,
);

/**
 * The user workers' SDK naming from their own series: the server's worker role exports `temporal_*` metrics too
 * (Go SDK, `service_name="worker"`), in the server's naming, so names alone would mistake an OTel server's
 * `_total`/`_milliseconds` for the workers'. Null when no user worker exports SDK metrics or the query fails.
 */
export async function sdkNamingFromSeries(input: {
  prometheus: PrometheusClient;
  matchers?: readonly LabelMatcher[];
  timeMs?: number;
  signal?: AbortSignal;
}): Promise<SdkNaming | null> {
  const names = [...SDK_COUNTER_MARKERS, ...SDK_TIMER_MARKERS].join('|');
  const matchers = [...(input.matchers ?? []), { name: 'service_name', op: '!=' as const, value: 'worker' }];
  const selector = `{__name__=~"(${names}).*",${formatMatchers(matchers)}}`;
  try {
    const result = await input.prometheus.query({
      // An instant selector keeps __name__ (range functions drop it); its 5-minute lookback is recent enough.
      query: `count by (__name__) (${selector})`,
      ...(input.timeMs === undefined ? {} : { timeMs: input.timeMs }),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    if (result.resultType !== 'vector') return null;
    const found = result.series.flatMap((s) => {
      const name = s.metric['__name__'];
      return name !== undefined && SDK_SERIES_NAMES.test(name) ? [name] : [];
    });
    return sdkNamingFromMetricNames(found);
  } catch {
    return null;
  }
}

/** What the metric names say about a source's naming; any part is null when the names do not tell. */
export interface DetectedNaming {
  style: MetricStyle | null;
  counters: CounterNaming | null;
  sdk?: SdkNaming | null;
  timerUnit?: TimerUnit | null;
}

export function namingFromMetricNames(names: Iterable<string>): DetectedNaming {
  const list = [...names];
  const style = styleFromMetricNames(list);
  // The SDK naming is not told from names: the server's own worker role exports `temporal_*` names too (see
  // sdkNamingFromSeries).
  return {
    style,
    counters: counterNamingFromMetricNames(list),
    timerUnit: style === null ? null : timerUnitFromMetricNames(list, style),
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
