import type {
  ClusterConfig,
  CounterNaming,
  InstantQueryResult,
  MetricStyle,
  PrometheusClient,
  SignalsSnapshot,
} from '../models/index.ts';
import { AppError, isAppError } from '../models/index.ts';
import type { MetricNaming, SignalQueries } from './catalog.ts';
import { buildSignalQueries } from './catalog.ts';
import type { DetectedNaming } from './detect-style.ts';
import { detectMetricNaming, sdkNamingFromSeries, timerUnitFromBuckets } from './detect-style.ts';
import { mapWithConcurrency } from './pool.ts';
import type { LabelMatcher } from './promql.ts';
import { parseLabelMatchers } from './promql.ts';
import type { Fleet, QueryPlan, RequestOutcome } from './query-plan.ts';
import { planSignalQueries, vectorOfInstant } from './query-plan.ts';
import type { SharedRequests } from './shared-requests.ts';
import { sharedRequestKey } from './shared-requests.ts';
import type { QueryOutcome } from './snapshot.ts';
import { assembleSnapshot } from './snapshot.ts';

export interface ObserveClusterInput {
  cluster: ClusterConfig;
  /** The instant to evaluate, epoch ms. */
  atMs: number;
  prometheus: PrometheusClient;
  /** Overrides the cluster's configured style; when neither is set the style is detected from metric names. */
  metricStyle?: MetricStyle;
  /** Whether counters carry `_total`; detected from metric names when not given, `total` if undetectable. */
  counters?: CounterNaming;
  /** Queries in flight at once. @default 8 */
  concurrency?: number;
  /** The cluster's fleet (see fleetIndex): grouped requests then ask for all its peers at once. */
  fleet?: Fleet;
  /** Where the fleet's requests are shared between observers; without it each observer sends its own. */
  shared?: SharedRequests;
  signal?: AbortSignal;
}

/** Outcome of an instant query: aggregated catalog queries yield at most one series. */
export function outcomeOfInstant(result: InstantQueryResult): QueryOutcome {
  if (result.resultType === 'scalar') return { kind: 'value', value: result.value };
  const first = result.series[0];
  return first ? { kind: 'value', value: first.value } : { kind: 'no_series' };
}

/**
 * Fill what is not known (style, counter naming) from the source's metric names. Listing names costs one request,
 * made only when something is unknown; a failure leaves it unknown (the caller's defaults apply), because one
 * unlistable cycle must not cost the whole snapshot.
 */
export async function detectUnlessKnown(input: {
  known: DetectedNaming;
  prometheus: PrometheusClient;
  /** The instant whose data the naming is for (bucket bounds and SDK series are probed there). */
  atMs?: number;
  /** The cluster's matchers, so another cluster on a shared Prometheus does not decide. */
  matchers?: readonly LabelMatcher[];
  signal?: AbortSignal;
}): Promise<DetectedNaming> {
  const { known } = input;
  const signalOption = input.signal ? { signal: input.signal } : {};
  // Style and counters given: no listing just for the SDK naming (sdk-core's defaults apply unless given too).
  const detected: DetectedNaming =
    known.style !== null && known.counters !== null
      ? { style: null, counters: null, sdk: null, timerUnit: null }
      : await detectMetricNaming({ prometheus: input.prometheus, ...signalOption }).catch(
          (): DetectedNaming => ({ style: null, counters: null, sdk: null, timerUnit: null }),
        );
  const style = known.style ?? detected.style;
  let timerUnit = known.timerUnit ?? detected.timerUnit ?? null;
  // Bare `_bucket` timers: tally (seconds) or OTel without unit suffix (milliseconds); only the bounds tell.
  const probe = {
    prometheus: input.prometheus,
    ...(input.matchers ? { matchers: input.matchers } : {}),
    ...(input.atMs === undefined ? {} : { timeMs: input.atMs }),
    ...signalOption,
  };
  if (timerUnit === null && style === 'tally') timerUnit = await timerUnitFromBuckets(probe);
  return {
    style,
    counters: known.counters ?? detected.counters,
    // From the user workers' own series: the server's worker role exports SDK names in the server's naming.
    sdk: known.sdk ?? (await sdkNamingFromSeries(probe)),
    timerUnit,
  };
}

const PLAN_CACHE_LIMIT = 1_024;
const planCache = new Map<string, { queries: SignalQueries[]; plan: QueryPlan }>();

/**
 * The catalog's queries and their plan for one naming, selector and fleet. Both are pure functions of these, and
 * building them costs more than the rest of a cycle's CPU for a large fleet (every group names every peer), so one
 * worker builds each once; the cache is bounded, dropping its oldest entry.
 */
export function plannedQueries(input: { naming: MetricNaming; matchers: readonly LabelMatcher[]; fleet?: Fleet }) {
  const key = JSON.stringify([input.naming, input.matchers, input.fleet ?? null]);
  const known = planCache.get(key);
  if (known) return known;
  const queries = buildSignalQueries({ ...input.naming, matchers: input.matchers });
  const plan = planSignalQueries({
    queries,
    clusterMatchers: input.matchers,
    ...(input.fleet ? { fleet: input.fleet } : {}),
  });
  if (planCache.size >= PLAN_CACHE_LIMIT) planCache.delete(planCache.keys().next().value ?? '');
  const entry = { queries, plan };
  planCache.set(key, entry);
  return entry;
}

/**
 * One observation cycle: run the catalog's instant queries concurrently, planned into one request per metric family
 * where the catalog's queries differ only in bounded labels (query-plan.ts), and build a
 * validated SignalsSnapshot. Never throws for a failed or empty query: the value is null and `missing` says why.
 * @throws AppError INVALID_INPUT when the cluster's selector is not a label-matcher list; CANCELLED when aborted.
 */
export async function observeCluster(input: ObserveClusterInput): Promise<SignalsSnapshot> {
  const matchers = parseLabelMatchers(input.cluster.selector ?? '');
  const detected = await detectUnlessKnown({
    known: {
      style: input.metricStyle ?? input.cluster.metric_style ?? null,
      counters: input.counters ?? null,
      timerUnit: input.cluster.metric_timer_unit ?? null,
    },
    prometheus: input.prometheus,
    atMs: input.atMs,
    matchers,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const style = detected.style ?? 'otel';
  const counters = detected.counters ?? 'total';
  const sdk = detected.sdk ?? undefined;
  const timerUnit = detected.timerUnit ?? undefined;
  const { queries, plan } = plannedQueries({
    naming: { style, counters, ...(sdk ? { sdk } : {}), ...(timerUnit ? { timerUnit } : {}) },
    matchers,
    ...(input.fleet ? { fleet: input.fleet } : {}),
  });
  const ask = async (query: string, signal: AbortSignal | undefined): Promise<RequestOutcome> => {
    try {
      const result = await input.prometheus.query({ query, timeMs: input.atMs, ...(signal ? { signal } : {}) });
      return vectorOfInstant(result);
    } catch (error) {
      return { kind: 'failed', code: isAppError(error) ? error.code : 'UNEXPECTED' };
    }
  };
  const { shared } = input;
  const results = await mapWithConcurrency({
    items: plan.requests,
    concurrency: input.concurrency ?? 8,
    task: (query): Promise<RequestOutcome> => {
      // A shared request is not cancelled with one observer: its peers in the slot are waiting on it too (the
      // client's own deadline still bounds it).
      if (!shared || !input.fleet) return ask(query, input.signal);
      const key = sharedRequestKey({ cluster: input.cluster, atMs: input.atMs, request: query });
      return shared.run(key, () => ask(query, undefined));
    },
  });
  if (input.signal?.aborted) throw new AppError('CANCELLED', 'observation cancelled', { cause: input.signal.reason });
  const byRequest = new Map(plan.requests.map((request, index) => [request, results[index]]));
  const outcomes = plan.resolve((request) => byRequest.get(request));
  return assembleSnapshot({
    cluster: input.cluster.name,
    atMs: input.atMs,
    style,
    counters,
    ...(sdk ? { sdk } : {}),
    ...(timerUnit ? { timerUnit } : {}),
    queries,
    outcomes,
  });
}
