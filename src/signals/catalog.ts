import type { MetricStyle } from '../models/index.ts';
import { AMPLIFIER_SIGNALS } from './catalog-amplifiers.ts';
import { PRIMARY_SIGNALS } from './catalog-primary.ts';
import type { SignalDefinition, SignalId } from './catalog-types.ts';
import { WORKER_SIGNALS } from './catalog-worker.ts';
import type { LabelMatcher } from './promql.ts';
import { QueryBuilder } from './query-builder.ts';

export type { Derived, Measure, SignalDefinition, SignalId, SignalTier, SignalUnit } from './catalog-types.ts';
export { tierOf } from './catalog-types.ts';

/**
 * The signal catalog, one row per value in the SignalsSnapshot (primary, amplifier, worker, worker amplifier): its
 * unit, what a gap blinds, and how each naming style measures it. Defined in three files for size, used as one table.
 */
export const SIGNAL_CATALOG: readonly SignalDefinition[] = [
  ...PRIMARY_SIGNALS,
  ...AMPLIFIER_SIGNALS,
  ...WORKER_SIGNALS,
];

/** The PromQL one signal runs for a style and cluster selector, and the metric names it reads. */
export interface SignalQueries {
  id: SignalId;
  /** Input name → PromQL; empty for not-measurable signals. */
  inputs: Record<string, string>;
  metrics: string[];
}

/** Build every signal's PromQL for one naming style, with the cluster's matchers merged into every selector. */
export function buildSignalQueries(input: { style: MetricStyle; matchers: readonly LabelMatcher[] }): SignalQueries[] {
  return SIGNAL_CATALOG.map((signal) => {
    if (signal.measure.kind === 'not_measurable') return { id: signal.id, inputs: {}, metrics: [] };
    const builder = new QueryBuilder(input.style, input.matchers);
    const inputs = signal.measure.inputs(builder);
    return { id: signal.id, inputs, metrics: [...builder.metrics] };
  });
}

/** Every metric name the catalog reads in a style, sorted. */
export function expectedMetricNames(style: MetricStyle): string[] {
  const names = new Set(buildSignalQueries({ style, matchers: [] }).flatMap((queries) => queries.metrics));
  return [...names].sort();
}
