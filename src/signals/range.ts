import type { ClusterConfig, CounterNaming, MetricStyle, PrometheusClient, SignalsSnapshot } from '../models/index.ts';
import { AppError, isAppError } from '../models/index.ts';
import { detectUnlessKnown, plannedQueries } from './observe.ts';
import { mapWithConcurrency } from './pool.ts';
import { parseLabelMatchers } from './promql.ts';
import type { RequestOutcome, VectorPoint } from './query-plan.ts';
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

/** One request's answer over the range: each step's series, or the failure. */
type Steps = { failed: string } | { steps: Map<number, VectorPoint[]> };

/**
 * One snapshot per step of [start, end], from one `query_range` per planned request (chunked under the
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
  // The same plan as one observation cycle, so a backtest step reads exactly what the observer would have read.
  const { queries, plan } = plannedQueries({
    naming: {
      style: input.metricStyle,
      counters,
      ...(sdk ? { sdk } : {}),
      ...(timerUnit ? { timerUnit } : {}),
    },
    matchers,
  });
  const chunks = rangeChunks(input);
  const results = await mapWithConcurrency({
    items: plan.requests,
    concurrency: input.concurrency ?? 4,
    task: async (query): Promise<Steps> => {
      const steps = new Map<number, VectorPoint[]>();
      try {
        for (const chunk of chunks) {
          const result = await input.prometheus.queryRange({ query, ...chunk, stepMs: input.stepMs, ...signalOption });
          for (const series of result.series) {
            for (const point of series.points) {
              const atStep = steps.get(point.timestampMs) ?? [];
              atStep.push({ labels: series.metric, value: point.value });
              steps.set(point.timestampMs, atStep);
            }
          }
        }
        return { steps };
      } catch (error) {
        return { failed: isAppError(error) ? error.code : 'UNEXPECTED' };
      }
    },
  });
  if (input.signal?.aborted) throw new AppError('CANCELLED', 'backtest cancelled', { cause: input.signal.reason });
  const byRequest = new Map(plan.requests.map((request, index) => [request, results[index]]));
  const snapshots: SignalsSnapshot[] = [];
  for (let atMs = input.startMs; atMs <= input.endMs; atMs += input.stepMs) {
    const outcomes = plan.resolve((request): RequestOutcome => {
      const answer = byRequest.get(request);
      if (answer === undefined || 'failed' in answer) return { kind: 'failed', code: answer?.failed ?? 'UNEXPECTED' };
      return { kind: 'vector', series: answer.steps.get(atMs) ?? [] };
    });
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
