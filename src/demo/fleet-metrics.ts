import type { MetricStyle } from '../models/index.ts';
import type { Labels, Rates, SeriesKind } from './scenario-metrics.ts';
import {
  COUNT_BOUNDS,
  FAMILIES,
  familyName,
  labelText,
  num,
  spreadObservations,
  TIMER_BOUNDS_MS,
} from './scenario-metrics.ts';

/**
 * A live exporter's page for many synthetic clusters at once (each series with its `cluster` label), as a Temporal
 * server would serve it `elapsedSec` after it started with steady `rates`: the same families, labels and buckets
 * as the scenario fixtures, in Prometheus text format (counters bare, as the dev server serves tally). For the
 * fleet bench, where a real Prometheus scrapes hundreds of clusters while the real worker observes them.
 */
export function renderFleetExposition(input: {
  clusters: readonly string[];
  style: MetricStyle;
  elapsedSec: number;
  rates: (cluster: string) => Rates;
}): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const first = family.series[0];
    if (!first) continue;
    const metric = familyName(family, input.style);
    lines.push(`# TYPE ${metric} ${textType(first.spec)}`);
    for (const cluster of input.clusters) {
      const rates = input.rates(cluster);
      for (const series of family.series) {
        seriesText({
          lines,
          metric,
          labels: { cluster, ...series.labels },
          spec: series.spec,
          rates,
          style: input.style,
          elapsedSec: input.elapsedSec,
        });
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function textType(spec: SeriesKind): string {
  if (spec.kind === 'timer' || spec.kind === 'dimensionless') return 'histogram';
  return spec.kind;
}

function seriesText(input: {
  lines: string[];
  metric: string;
  labels: Labels;
  spec: SeriesKind;
  rates: Rates;
  style: MetricStyle;
  elapsedSec: number;
}): void {
  const { lines, metric, spec, rates } = input;
  const base = labelText(input.labels);
  switch (spec.kind) {
    case 'gauge':
      lines.push(`${metric}{${base}} ${num(spec.value(rates))}`);
      return;
    case 'counter': {
      const value = spec.rate(rates) * input.elapsedSec;
      if (spec.lazy && value === 0) return;
      lines.push(`${metric}{${base}} ${num(value)}`);
      return;
    }
    case 'timer':
    case 'dimensionless': {
      const inSeconds = input.style === 'tally';
      const bounds = spec.kind === 'timer' ? TIMER_BOUNDS_MS.map((ms) => (inSeconds ? ms / 1000 : ms)) : COUNT_BOUNDS;
      const typical = spec.kind === 'timer' ? spec.valueMs(rates) / (inSeconds ? 1000 : 1) : spec.value;
      const observations = spec.rate(rates) * input.elapsedSec;
      if (spec.kind === 'timer' && spec.lazy && observations === 0) return;
      const buckets = new Array<number>(bounds.length + 1).fill(0);
      const sum = spreadObservations({ buckets, bounds, typical, observations });
      for (const [i, bound] of bounds.entries())
        lines.push(`${metric}_bucket{${base},le="${bound}"} ${num(buckets[i] ?? 0)}`);
      lines.push(`${metric}_bucket{${base},le="+Inf"} ${num(buckets[bounds.length] ?? 0)}`);
      lines.push(`${metric}_count{${base}} ${num(buckets[bounds.length] ?? 0)}`);
      lines.push(`${metric}_sum{${base}} ${num(sum)}`);
      return;
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown series kind ${String(never)}`);
    }
  }
}
