import type { ClusterConfig, CounterNaming, MetricStyle, PrometheusClient, SignalsSnapshot } from '../models/index.ts';
import { AppError, isAppError } from '../models/index.ts';
import { buildSignalQueries } from './catalog.ts';
import { detectUnlessKnown } from './observe.ts';
import { mapWithConcurrency } from './pool.ts';
import { parseLabelMatchers } from './promql.ts';
import type { QueryOutcome } from './snapshot.ts';
import { assembleSnapshot } from './snapshot.ts';

/** Prometheus rejects a range query resolving to more than 11,000 points per series. */
export const MAX_POINTS_PER_RANGE_QUERY = 11_000;

export interface ObserveRangeInput {
  cluster: ClusterConfig;
  startMs: number;
  endMs: number;
  stepMs: number;
  prometheus: PrometheusClient;
  metricStyle: MetricStyle;
  /** Whether counters carry `_total`; detected once from metric names when not given, `total` if undetectable. */
  counters?: CounterNaming;
  /** Range queries in flight at once. @default 4 */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Split [start, end] on the step grid into chunks of at most MAX_POINTS_PER_RANGE_QUERY points. */
export function rangeChunks(input: {
  startMs: number;
  endMs: number;
  stepMs: number;
}): { startMs: number; endMs: number }[] {
  const spanMs = input.stepMs * (MAX_POINTS_PER_RANGE_QUERY - 1);
  const chunks: { startMs: number; endMs: number }[] = [];
  for (let from = input.startMs; from <= input.endMs; from += spanMs + input.stepMs) {
    chunks.push({ startMs: from, endMs: Math.min(input.endMs, from + spanMs) });
  }
  return chunks;
}

type Series = { failed: string } | { points: Map<number, number> };

/**
 * One snapshot per step of [start, end], from one `query_range` per distinct catalog query (chunked under the
 * 11,000-point limit). A failed query is null with reason query_failed at every step; never throws for one.
 * @throws AppError INVALID_INPUT for a bad selector or range; CANCELLED when aborted.
 */
export async function observeRange(input: ObserveRangeInput): Promise<SignalsSnapshot[]> {
  if (!(input.stepMs > 0) || input.endMs < input.startMs) {
    throw new AppError('INVALID_INPUT', 'the range needs end >= start and a positive step', { status: 400 });
  }
  const matchers = parseLabelMatchers(input.cluster.selector ?? '');
  const signalOption = input.signal ? { signal: input.signal } : {};
  const detected = await detectUnlessKnown({
    known: {
      style: input.metricStyle,
      counters: input.counters ?? null,
      timerUnit: input.cluster.metric_timer_unit ?? null,
    },
    prometheus: input.prometheus,
    atMs: input.endMs,
    matchers,
    ...signalOption,
  });
  const counters = detected.counters ?? 'total';
  const sdk = detected.sdk ?? undefined;
  const timerUnit = detected.timerUnit ?? undefined;
  const queries = buildSignalQueries({
    style: input.metricStyle,
    counters,
    matchers,
    ...(sdk ? { sdk } : {}),
    ...(timerUnit ? { timerUnit } : {}),
  });
  const distinct = [...new Set(queries.flatMap((signal) => Object.values(signal.inputs)))];
  const chunks = rangeChunks(input);
  const results = await mapWithConcurrency({
    items: distinct,
    concurrency: input.concurrency ?? 4,
    task: async (query): Promise<Series> => {
      const points = new Map<number, number>();
      try {
        for (const chunk of chunks) {
          const result = await input.prometheus.queryRange({ query, ...chunk, stepMs: input.stepMs, ...signalOption });
          for (const point of result.series[0]?.points ?? []) points.set(point.timestampMs, point.value);
        }
        return { points };
      } catch (error) {
        return { failed: isAppError(error) ? error.code : 'UNEXPECTED' };
      }
    },
  });
  if (input.signal?.aborted) throw new AppError('CANCELLED', 'backtest cancelled', { cause: input.signal.reason });
  const byQuery = new Map(distinct.map((query, index) => [query, results[index]]));
  const snapshots: SignalsSnapshot[] = [];
  for (let atMs = input.startMs; atMs <= input.endMs; atMs += input.stepMs) {
    const outcomes = new Map<string, QueryOutcome>();
    for (const [query, series] of byQuery) {
      if (series === undefined || 'failed' in series) {
        outcomes.set(query, { kind: 'failed', code: series?.failed ?? 'UNEXPECTED' });
        continue;
      }
      const value = series.points.get(atMs);
      outcomes.set(query, value === undefined ? { kind: 'no_series' } : { kind: 'value', value });
    }
    snapshots.push(
      assembleSnapshot({
        cluster: input.cluster.name,
        atMs,
        style: input.metricStyle,
        counters,
        ...(sdk ? { sdk } : {}),
        ...(timerUnit ? { timerUnit } : {}),
        queries,
        outcomes,
      }),
    );
  }
  return snapshots;
}
