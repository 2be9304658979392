import type { MetricStyle } from '../models/index.ts';
import type { LabelMatcher } from './promql.ts';
import { vectorSelector } from './promql.ts';

/** Shorthand matchers for catalog entries. */
export const eq = (name: string, value: string): LabelMatcher => ({ name, op: '=', value });
export const re = (name: string, value: string): LabelMatcher => ({ name, op: '=~', value });
export const nre = (name: string, value: string): LabelMatcher => ({ name, op: '!~', value });

/** Histogram kinds differ in their exported names (reference §1.2): timers carry a unit, dimensionless ones `_ratio`. */
export type HistogramKind = 'timer' | 'dimensionless';

/**
 * Builds PromQL for one naming style with the cluster's matchers merged into every selector, and records every metric
 * name it used so `doctor` can say which expected names exist.
 *
 * - OTel exporter (`framework: opentelemetry`): timers `<name>_milliseconds_bucket` already in ms; dimensionless
 *   histograms `<name>_ratio_bucket|_count|_sum`; counters `<name>_total`.
 * - tally exporter (Temporal's default): timers `<name>_bucket` in SECONDS; dimensionless `<name>_bucket|_count`;
 *   counters `<name>_total`.
 */
export class QueryBuilder {
  readonly metrics = new Set<string>();

  constructor(
    readonly style: MetricStyle,
    private readonly clusterMatchers: readonly LabelMatcher[],
  ) {}

  /** The exported series name of a histogram part. */
  histogramName(name: string, kind: HistogramKind, part: 'bucket' | 'count' | 'sum'): string {
    if (this.style === 'tally') return `${name}_${part}`;
    return kind === 'timer' ? `${name}_milliseconds_${part}` : `${name}_ratio_${part}`;
  }

  select(metric: string, matchers: readonly LabelMatcher[] = []): string {
    this.metrics.add(metric);
    return vectorSelector(metric, [...matchers, ...this.clusterMatchers]);
  }

  /** Per-second rate of a counter (`<name>_total`), summed across the cluster's series. */
  counterRate(name: string, matchers: readonly LabelMatcher[] = [], window = '1m'): string {
    return `sum(rate(${this.select(`${name}_total`, matchers)}[${window}]))`;
  }

  /** Observations per second of a histogram: the rate of its `_count` series (never `_sum`). */
  observationRate(name: string, kind: HistogramKind, matchers: readonly LabelMatcher[] = [], window = '1m'): string {
    return `sum(rate(${this.select(this.histogramName(name, kind, 'count'), matchers)}[${window}]))`;
  }

  /** A timer quantile converted to `unit`: tally timers are seconds, OTel timers milliseconds. */
  timerQuantile(input: {
    quantile: number;
    name: string;
    unit: 'ms' | 'sec';
    matchers?: readonly LabelMatcher[];
    window?: string;
  }): string {
    const bucket = this.select(this.histogramName(input.name, 'timer', 'bucket'), input.matchers ?? []);
    const base = `histogram_quantile(${input.quantile}, sum by (le) (rate(${bucket}[${input.window ?? '5m'}])))`;
    if (this.style === 'tally') return input.unit === 'ms' ? `${base} * 1000` : base;
    return input.unit === 'sec' ? `${base} / 1000` : base;
  }

  /** Sum of a gauge across the cluster's series. */
  gaugeSum(name: string, matchers: readonly LabelMatcher[] = []): string {
    return `sum(${this.select(name, matchers)})`;
  }
}
