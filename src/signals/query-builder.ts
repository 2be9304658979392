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

/** A rate, gauge aggregate or quantile over one selector: what a grouped request can answer for several queries. */
export type AtomForm =
  | { kind: 'rate'; promql: string; metric: string; matchers: readonly LabelMatcher[]; window: string }
  | {
      kind: 'gauge';
      promql: string;
      aggregation: 'sum' | 'max';
      metric: string;
      matchers: readonly LabelMatcher[];
    }
  | {
      kind: 'quantile';
      promql: string;
      quantile: number;
      /** The unit conversion appended to the PromQL (`* 1000`, `/ 1000`), applied the same way in code. */
      scale: { op: '*' | '/'; by: number } | null;
      metric: string;
      matchers: readonly LabelMatcher[];
      window: string;
    };

export type RateForm = Extract<AtomForm, { kind: 'rate' }>;

/**
 * What a builder query computes, recorded beside its PromQL so the planner (query-plan.ts) can answer several from
 * one grouped request. Matchers are the signal's own; the cluster's are the builder's and the same for all.
 */
export type QueryForm = AtomForm | { kind: 'first_occurrence'; primary: RateForm; alive: RateForm };

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
  /** PromQL → what it computes, for every query a method below returned. */
  readonly forms = new Map<string, QueryForm>();
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
    return this.rateOf({ metric: exported, matchers, family: name, window });
  }

  private record(form: QueryForm): string {
    const promql =
      form.kind === 'first_occurrence' ? `${form.primary.promql} or (0 * ${form.alive.promql})` : form.promql;
    this.forms.set(promql, form);
    return promql;
  }

  private rateForm(input: { metric: string; matchers: readonly LabelMatcher[]; family: string; window: string }) {
    const promql = `sum(rate(${this.select(input.metric, input.matchers, input.family)}[${input.window}]))`;
    const form: RateForm = {
      kind: 'rate',
      promql,
      metric: input.metric,
      matchers: input.matchers,
      window: input.window,
    };
    return form;
  }

  private rateOf(input: { metric: string; matchers: readonly LabelMatcher[]; family: string; window: string }) {
    return this.record(this.rateForm(input));
  }

  private quantileOf(input: {
    quantile: number;
    metric: string;
    family: string;
    matchers: readonly LabelMatcher[];
    window: string;
    scale: { op: '*' | '/'; by: number } | null;
  }): string {
    const bucket = this.select(input.metric, input.matchers, input.family);
    const base = `histogram_quantile(${input.quantile}, sum by (le) (rate(${bucket}[${input.window}])))`;
    const promql = input.scale ? `${base} ${input.scale.op} ${input.scale.by}` : base;
    const { quantile, metric, matchers, window, scale } = input;
    return this.record({ kind: 'quantile', promql, quantile, scale, metric, matchers, window });
  }

  /** An SDK (worker-side) duration quantile in ms, whatever unit and suffix its exporter uses. */
  sdkTimerQuantile(input: { quantile: number; name: string; matchers?: readonly LabelMatcher[]; window?: string }) {
    return this.quantileOf({
      quantile: input.quantile,
      metric: `${input.name}${this.sdk.duration_suffix}_bucket`,
      family: input.name,
      matchers: input.matchers ?? [],
      window: input.window ?? '5m',
      scale: this.sdk.duration_unit === 'sec' ? { op: '*', by: 1000 } : null,
    });
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
    return this.rateOf({ metric: this.counterName(name), matchers, family: name, window });
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
    const primary = this.rateForm({
      metric: this.counterName(input.name),
      matchers: input.matchers ?? [],
      family: input.name,
      window,
    });
    const alive = this.rateForm({
      metric: this.counterName(input.alive.name),
      matchers: input.alive.matchers,
      family: input.alive.name,
      window,
    });
    return this.record({ kind: 'first_occurrence', primary, alive });
  }

  /** Observations per second of a histogram: the rate of its `_count` series (never `_sum`). */
  observationRate(name: string, kind: HistogramKind, matchers: readonly LabelMatcher[] = [], window = '1m'): string {
    return this.rateOf({ metric: this.histogramName(name, kind, 'count'), matchers, family: name, window });
  }

  /** A timer quantile converted to `unit` from the exporter's timer unit (see `timerUnit`). */
  timerQuantile(input: {
    quantile: number;
    name: string;
    unit: 'ms' | 'sec';
    matchers?: readonly LabelMatcher[];
    window?: string;
  }): string {
    const converted = this.timerUnit === input.unit ? null : input.unit;
    return this.quantileOf({
      quantile: input.quantile,
      metric: this.histogramName(input.name, 'timer', 'bucket'),
      family: input.name,
      matchers: input.matchers ?? [],
      window: input.window ?? '5m',
      scale: converted === null ? null : { op: converted === 'ms' ? '*' : '/', by: 1000 },
    });
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
    const promql = `sum(${this.select(name, matchers)})`;
    return this.record({ kind: 'gauge', promql, aggregation: 'sum', metric: name, matchers });
  }

  /** Largest value of a gauge across the cluster's series (e.g. the oldest backlog over all task queues). */
  gaugeMax(name: string, matchers: readonly LabelMatcher[] = []): string {
    const promql = `max(${this.select(name, matchers)})`;
    return this.record({ kind: 'gauge', promql, aggregation: 'max', metric: name, matchers });
  }
}
