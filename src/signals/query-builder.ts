import type { CounterNaming, MetricStyle, SdkNaming, TimerUnit } from '../models/index.ts';
import type { LabelMatcher } from './promql.ts';
import { vectorSelector } from './promql.ts';

/** Shorthand matchers for catalog entries. */
export const eq = (name: string, value: string): LabelMatcher => ({ name, op: '=', value });
export const ne = (name: string, value: string): LabelMatcher => ({ name, op: '!=', value });
export const re = (name: string, value: string): LabelMatcher => ({ name, op: '=~', value });
export const nre = (name: string, value: string): LabelMatcher => ({ name, op: '!~', value });

/** Histogram kinds differ in their exported names (reference §1.2): timers carry a unit, dimensionless ones `_ratio`. */
export type HistogramKind = 'timer' | 'dimensionless';

/** How one source names its series: the exporter style plus the counter suffix (detected separately). */
export interface MetricNaming {
  style: MetricStyle;
  counters: CounterNaming;
  /** The SDK exporters' naming (worker signals); sdk-core's defaults when not given. */
  sdk?: SdkNaming;
  /**
   * The server's timer unit when it differs from the style's default: OTel `recordTimerInSeconds` (`sec`, names
   * `_seconds_*`) or OTel `withoutUnitSuffix` read as tally-style names (`ms` in a bare `_bucket`).
   */
  timerUnit?: TimerUnit;
}

/** The style's own timer unit: tally records seconds, the OTel exporter milliseconds. */
export function defaultTimerUnit(style: MetricStyle): TimerUnit {
  return style === 'tally' ? 'sec' : 'ms';
}

/** sdk-core's Prometheus exporter defaults: bare counters, no unit suffix, milliseconds. */
export const SDK_CORE_DEFAULT_NAMING: SdkNaming = { counters: 'bare', duration_unit: 'ms', duration_suffix: '' };

/**
 * Builds PromQL for one naming with the cluster's matchers merged into every selector, and records every metric
 * name it used (with its Temporal family name) so `doctor` and the real-server test can say which names exist.
 *
 * - OTel exporter (`framework: opentelemetry`): timers `<name>_milliseconds_bucket` already in ms; dimensionless
 *   histograms `<name>_ratio_bucket|_count|_sum`.
 * - tally exporter (Temporal's default): timers `<name>_bucket` in SECONDS; dimensionless `<name>_bucket|_count`.
 * - Counters are `<name>_total` or bare `<name>` depending on the exporter and scrape format, in either style: tally
 *   served as Prometheus text has no suffix, the same server behind an OTel collector or OpenMetrics has `_total`.
 */
export class QueryBuilder {
  /** Exported series name → Temporal metric family (`task_requests_total` → `task_requests`). */
  readonly metrics = new Map<string, string>();
  readonly style: MetricStyle;
  readonly counters: CounterNaming;
  readonly sdk: SdkNaming;
  readonly timerUnit: TimerUnit;
  private readonly clusterMatchers: readonly LabelMatcher[];

  constructor(input: { naming: MetricNaming; clusterMatchers: readonly LabelMatcher[] }) {
    this.style = input.naming.style;
    this.counters = input.naming.counters;
    this.sdk = input.naming.sdk ?? SDK_CORE_DEFAULT_NAMING;
    this.timerUnit = input.naming.timerUnit ?? defaultTimerUnit(this.style);
    this.clusterMatchers = input.clusterMatchers;
  }

  /** Per-second rate of an SDK (worker-side) counter, named as the SDK exporter names it. */
  sdkCounterRate(name: string, matchers: readonly LabelMatcher[] = [], window = '1m'): string {
    const exported = this.sdk.counters === 'total' ? `${name}_total` : name;
    return `sum(rate(${this.select(exported, matchers, name)}[${window}]))`;
  }

  /** An SDK (worker-side) duration quantile in ms, whatever unit and suffix its exporter uses. */
  sdkTimerQuantile(input: { quantile: number; name: string; matchers?: readonly LabelMatcher[]; window?: string }) {
    const bucket = this.select(`${input.name}${this.sdk.duration_suffix}_bucket`, input.matchers ?? [], input.name);
    const base = `histogram_quantile(${input.quantile}, sum by (le) (rate(${bucket}[${input.window ?? '5m'}])))`;
    return this.sdk.duration_unit === 'sec' ? `${base} * 1000` : base;
  }

  /** The exported series name of a counter. */
  counterName(name: string): string {
    return this.counters === 'total' ? `${name}_total` : name;
  }

  /** The exported series name of a histogram part. */
  histogramName(name: string, kind: HistogramKind, part: 'bucket' | 'count' | 'sum'): string {
    if (this.style === 'tally') return `${name}_${part}`;
    if (kind === 'dimensionless') return `${name}_ratio_${part}`;
    return this.timerUnit === 'sec' ? `${name}_seconds_${part}` : `${name}_milliseconds_${part}`;
  }

  /** A selector for an exported series name; `family` is the Temporal metric it belongs to. */
  select(metric: string, matchers: readonly LabelMatcher[] = [], family = metric): string {
    this.metrics.set(metric, family);
    return vectorSelector(metric, [...matchers, ...this.clusterMatchers]);
  }

  /** Per-second rate of a counter, summed across the cluster's series. */
  counterRate(name: string, matchers: readonly LabelMatcher[] = [], window = '1m'): string {
    return `sum(rate(${this.select(this.counterName(name), matchers, name)}[${window}]))`;
  }

  /**
   * Rate of a counter Temporal creates only on its first increment (errors, failures; see EMITTED_ONLY_WHEN), or 0
   * when it does not exist but `alive`, a counter the same service exports whenever it serves, does. No data is
   * not zero: a missing error series is 0 only while the exporter that would carry it is provably scraped (then it
   * has simply never happened since the process started); with the exporter gone both sides are empty and the value
   * stays unknown. Both sides get the cluster's matchers; `alive.matchers` carry the same service_name filter.
   */
  firstOccurrenceRate(input: {
    name: string;
    matchers?: readonly LabelMatcher[];
    alive: { name: string; matchers: readonly LabelMatcher[] };
    window?: string;
  }): string {
    const window = input.window ?? '1m';
    const rate = this.counterRate(input.name, input.matchers ?? [], window);
    return `${rate} or (0 * ${this.counterRate(input.alive.name, input.alive.matchers, window)})`;
  }

  /** Observations per second of a histogram: the rate of its `_count` series (never `_sum`). */
  observationRate(name: string, kind: HistogramKind, matchers: readonly LabelMatcher[] = [], window = '1m'): string {
    return `sum(rate(${this.select(this.histogramName(name, kind, 'count'), matchers, name)}[${window}]))`;
  }

  /** A timer quantile converted to `unit` from the exporter's timer unit (see `timerUnit`). */
  timerQuantile(input: {
    quantile: number;
    name: string;
    unit: 'ms' | 'sec';
    matchers?: readonly LabelMatcher[];
    window?: string;
  }): string {
    const bucket = this.select(this.histogramName(input.name, 'timer', 'bucket'), input.matchers ?? [], input.name);
    const base = `histogram_quantile(${input.quantile}, sum by (le) (rate(${bucket}[${input.window ?? '5m'}])))`;
    if (this.timerUnit === input.unit) return base;
    return input.unit === 'ms' ? `${base} * 1000` : `${base} / 1000`;
  }

  /**
   * Sum of a per-process gauge, counting each process once. A single binary hosting several roles (the dev server,
   * `temporal server start` with all services) reports the same runtime gauge once per `service_name`; separate
   * processes differ in their target labels (`instance`, `job`, `task_id`), so they stay apart.
   */
  processGaugeSum(name: string, matchers: readonly LabelMatcher[] = []): string {
    return `sum(max without (service_name) (${this.select(name, matchers)}))`;
  }

  /** Sum of a gauge across the cluster's series. */
  gaugeSum(name: string, matchers: readonly LabelMatcher[] = []): string {
    return `sum(${this.select(name, matchers)})`;
  }

  /** Largest value of a gauge across the cluster's series (e.g. the oldest backlog over all task queues). */
  gaugeMax(name: string, matchers: readonly LabelMatcher[] = []): string {
    return `max(${this.select(name, matchers)})`;
  }
}
