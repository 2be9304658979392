import type { CounterNaming, MetricStyle, SdkNaming, TimerUnit } from '../models/index.ts';
import { AMPLIFIER_SIGNALS } from './catalog-amplifiers.ts';
import { EMITTED_ONLY_WHEN } from './catalog-conditional.ts';
import { PRIMARY_SIGNALS } from './catalog-primary.ts';
import type { SignalDefinition, SignalId } from './catalog-types.ts';
import { WORKER_SIGNALS } from './catalog-worker.ts';
import type { LabelMatcher } from './promql.ts';
import type { QueryForm } from './query-builder.ts';
import { QueryBuilder } from './query-builder.ts';

export { EMITTED_ONLY_WHEN } from './catalog-conditional.ts';
export type { Derived, Measure, SignalDefinition, SignalId, SignalTier, SignalUnit } from './catalog-types.ts';
export { tierOf } from './catalog-types.ts';
export type { MetricNaming } from './query-builder.ts';

/**
 * The signal catalog, one row per value in the SignalsSnapshot (primary, amplifier, worker, worker amplifier): its
 * unit, what a gap blinds, and how each naming style measures it. Defined in three files for size, used as one table.
 */
export const SIGNAL_CATALOG: readonly SignalDefinition[] = [
  ...PRIMARY_SIGNALS,
  ...AMPLIFIER_SIGNALS,
  ...WORKER_SIGNALS,
];

/** The PromQL one signal runs for a naming and cluster selector, and the metric names it reads. */
export interface SignalQueries {
  id: SignalId;
  /** Input name → PromQL; empty for not-measurable signals. */
  inputs: Record<string, string>;
  /** Exported series names read, e.g. `task_requests_total`. */
  metrics: string[];
  /** Exported series name → Temporal metric family (`task_requests_total` → `task_requests`). */
  families: Record<string, string>;
  /** Input PromQL → what it computes, for the inputs a planner may answer from a grouped request. */
  forms: Record<string, QueryForm>;
}

/**
 * Build every signal's PromQL for one naming style, with the cluster's matchers merged into every selector.
 * `counters` defaults to `total` (`<name>_total`), what Temporal's documented pipelines export.
 */
export function buildSignalQueries(input: {
  style: MetricStyle;
  counters?: CounterNaming;
  /** The SDK exporters' naming for the worker signals; sdk-core's defaults when absent. */
  sdk?: SdkNaming;
  /** The server's timer unit when it differs from the style's default (see MetricNaming.timerUnit). */
  timerUnit?: TimerUnit;
  matchers: readonly LabelMatcher[];
}): SignalQueries[] {
  const naming = {
    style: input.style,
    counters: input.counters ?? 'total',
    ...(input.sdk ? { sdk: input.sdk } : {}),
    ...(input.timerUnit ? { timerUnit: input.timerUnit } : {}),
  };
  return SIGNAL_CATALOG.map((signal) => {
    if (signal.measure.kind === 'not_measurable') {
      return { id: signal.id, inputs: {}, metrics: [], families: {}, forms: {} };
    }
    const builder = new QueryBuilder({ naming, clusterMatchers: input.matchers });
    const inputs = signal.measure.inputs(builder);
    return {
      id: signal.id,
      inputs,
      metrics: [...builder.metrics.keys()],
      families: Object.fromEntries(builder.metrics),
      // Only inputs that are exactly a builder query: a composed expression (`… * 60`) is sent as it is.
      forms: Object.fromEntries(
        Object.values(inputs).flatMap((promql) => {
          const form = builder.forms.get(promql);
          return form ? [[promql, form] as const] : [];
        }),
      ),
    };
  });
}

/** One exported series name the catalog reads, its Temporal family and the signals that read it. */
export interface CatalogMetric {
  name: string;
  family: string;
  signals: SignalId[];
  /** Set when a serving server lacks the family until this happens (see EMITTED_ONLY_WHEN). */
  emittedOnlyWhen?: string;
}

/** Every series name the catalog reads in a naming, sorted by name. */
export function catalogMetrics(input: { style: MetricStyle; counters?: CounterNaming }): CatalogMetric[] {
  const byName = new Map<string, CatalogMetric>();
  for (const queries of buildSignalQueries({ ...input, matchers: [] })) {
    for (const [name, family] of Object.entries(queries.families)) {
      const condition = EMITTED_ONLY_WHEN[family];
      const entry = byName.get(name) ?? {
        name,
        family,
        signals: [],
        ...(condition ? { emittedOnlyWhen: condition } : {}),
      };
      entry.signals.push(queries.id);
      byName.set(name, entry);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Every metric name the catalog reads in a style with `<name>_total` counters, sorted (see `catalogMetrics`). */
export function expectedMetricNames(style: MetricStyle): string[] {
  return catalogMetrics({ style }).map((metric) => metric.name);
}
