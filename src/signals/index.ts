export { blindSnapshot } from './blind-snapshot.ts';
export type {
  CatalogMetric,
  MetricNaming,
  SignalDefinition,
  SignalId,
  SignalQueries,
  SignalTier,
  SignalUnit,
} from './catalog.ts';
export {
  buildSignalQueries,
  catalogMetrics,
  EMITTED_ONLY_WHEN,
  expectedMetricNames,
  SIGNAL_CATALOG,
  tierOf,
} from './catalog.ts';
export type { DetectedNaming } from './detect-style.ts';
export {
  counterNamingFromMetricNames,
  detectMetricNaming,
  detectMetricStyle,
  namingFromMetricNames,
  sdkNamingFromMetricNames,
  sdkNamingFromSeries,
  styleFromMetricNames,
  timerUnitFromBuckets,
  timerUnitFromMetricNames,
} from './detect-style.ts';
export type { ObserveClusterInput } from './observe.ts';
export { detectUnlessKnown, observeCluster, outcomeOfInstant } from './observe.ts';
export { mapWithConcurrency } from './pool.ts';
export type { LabelMatcher } from './promql.ts';
export { formatMatchers, parseLabelMatchers, quoteLabelValue, vectorSelector } from './promql.ts';
export { defaultTimerUnit, SDK_CORE_DEFAULT_NAMING } from './query-builder.ts';
export type { Fleet } from './query-plan.ts';
export type { ObserveRangeInput } from './range.ts';
export { MAX_POINTS_PER_RANGE_QUERY, observeRange, rangeChunks } from './range.ts';
export type { SharedRequests } from './shared-requests.ts';
export { createSharedRequests, fleetIndex } from './shared-requests.ts';
export type { QueryOutcome } from './snapshot.ts';
export { assembleSnapshot } from './snapshot.ts';
