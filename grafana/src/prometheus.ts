import type { DataSourceRef, Panel, VariableModel } from '@grafana/schema';
import { VariableRefresh } from '@grafana/schema';
import type { CounterNaming, MetricStyle } from '../../src/models/index.ts';
import { type Box, panel } from './panels.ts';

/**
 * PromQL for the Temporal server and DSQL dashboards in both of the server's naming styles (docs/metric-naming.md):
 * tally (Temporal's Prometheus reporter: bare counters, `_bucket` timers in seconds) and OpenTelemetry (`_total`
 * counters, `_milliseconds_bucket` timers). Each dashboard has one row per style built by the same function, so
 * both say the same thing and the contract test checks each row against the signal catalog of its own style.
 */

export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

export interface Naming {
  style: MetricStyle;
  counters: CounterNaming;
  /** Row title. */
  title: string;
}

export const NAMINGS: readonly Naming[] = [
  { style: 'otel', counters: 'total', title: 'OpenTelemetry naming (_total, _milliseconds_bucket)' },
  { style: 'tally', counters: 'bare', title: 'tally naming (bare counters, _bucket in seconds)' },
];

/** `{service_name=~"$service"}`-style selector with the dashboard's `job` filter always applied. */
function selector(metric: string, matchers: string): string {
  const all = ['job=~"$job"', ...(matchers === '' ? [] : [matchers])].join(', ');
  return `${metric}{${all}}`;
}

/** Builds PromQL for one naming, as the signal catalog's query builder names the series. */
export function promql(naming: Naming) {
  const counter = (name: string) => (naming.counters === 'total' ? `${name}_total` : name);
  return {
    /** Per-second rate of a counter, summed `by` the given labels. */
    rate(input: { name: string; by?: string; matchers?: string; window?: string }): string {
      const by = input.by === undefined ? '' : ` by (${input.by})`;
      return `sum${by} (rate(${selector(counter(input.name), input.matchers ?? '')}[${input.window ?? '1m'}]))`;
    },
    /** Observations per second of a dimensionless histogram (its `_count`). */
    observations(input: { name: string; matchers?: string }): string {
      const metric = naming.style === 'otel' ? `${input.name}_ratio_count` : `${input.name}_count`;
      return `sum(rate(${selector(metric, input.matchers ?? '')}[1m]))`;
    },
    /** A timer quantile in milliseconds: tally records seconds, so it is scaled. */
    quantileMs(input: { quantile: number; name: string; by?: string; matchers?: string }): string {
      const metric = naming.style === 'otel' ? `${input.name}_milliseconds_bucket` : `${input.name}_bucket`;
      const by = input.by === undefined ? 'le' : `${input.by}, le`;
      const base = `histogram_quantile(${input.quantile}, sum by (${by}) (rate(${selector(metric, input.matchers ?? '')}[5m])))`;
      return naming.style === 'otel' ? base : `${base} * 1000`;
    },
    /** A gauge summed `by` the given labels (names are the same in both styles). */
    gauge(input: { name: string; by?: string; matchers?: string; aggregation?: 'sum' | 'max' }): string {
      const by = input.by === undefined ? '' : ` by (${input.by})`;
      return `${input.aggregation ?? 'sum'}${by} (${selector(input.name, input.matchers ?? '')})`;
    },
  };
}

export type PromQl = ReturnType<typeof promql>;

export interface Series {
  expr: string;
  legend: string;
}

/** A time series panel of PromQL targets. */
export function timeseries(input: {
  title: string;
  box: Box;
  unit: string;
  series: Series[];
  description?: string;
}): Panel {
  return panel('timeseries', {
    title: input.title,
    ...(input.description === undefined ? {} : { description: input.description }),
    datasource: PROMETHEUS,
    box: input.box,
    targets: input.series.map((s, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: PROMETHEUS,
      expr: s.expr,
      legendFormat: s.legend,
      range: true,
    })),
    fieldConfig: { defaults: { unit: input.unit, custom: { fillOpacity: 10, spanNulls: false } }, overrides: [] },
    options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
  });
}

/** `job`: which scrape jobs are the monitored cluster (the copilot's cluster selector, as a dashboard filter). */
export const JOB_VARIABLE: VariableModel = {
  name: 'job',
  label: 'Job',
  type: 'query',
  datasource: PROMETHEUS,
  query: { query: 'label_values(up, job)', refId: 'job' },
  refresh: VariableRefresh.onTimeRangeChanged,
  includeAll: true,
  allValue: '.*',
  multi: true,
};
