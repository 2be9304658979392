import { describe, expect, test } from 'bun:test';
import type { PrometheusClient } from '../../src/clients/prometheus.ts';
import { AppError } from '../../src/models/index.ts';
import { detectMetricStyle, styleFromMetricNames } from '../../src/signals/detect-style.ts';
import { observeCluster } from '../../src/signals/observe.ts';

type QueryFn = (query: string) => number | 'empty' | AppError;

/** A typed in-process Prometheus: answers instant queries from `answer`, tracking concurrency. */
function fakePrometheus(answer: QueryFn, names: string[] = []) {
  const stats = { inFlight: 0, maxInFlight: 0, queries: [] as string[] };
  const client: PrometheusClient = {
    async query({ query }) {
      stats.queries.push(query);
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await Promise.resolve();
      await Promise.resolve();
      stats.inFlight -= 1;
      const result = answer(query);
      if (result instanceof AppError) throw result;
      if (result === 'empty') return { resultType: 'vector', series: [], warnings: [] };
      return { resultType: 'vector', series: [{ metric: {}, value: result, timestampMs: 0 }], warnings: [] };
    },
    async queryRange() {
      return { series: [], warnings: [] };
    },
    async metricNames() {
      return names;
    },
  };
  return { client, stats };
}

const cluster = { name: 'prod', prometheus_url: 'http://127.0.0.1:9', selector: 'cluster="prod"' };

describe('observeCluster', () => {
  test('bounded concurrency, each distinct query once, every selector scoped to the cluster', async () => {
    const { client, stats } = fakePrometheus(() => 2);
    const snapshot = await observeCluster({
      cluster,
      atMs: 1_000,
      prometheus: client,
      metricStyle: 'otel',
      concurrency: 3,
    });
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
    expect(stats.maxInFlight).toBeGreaterThan(1);
    expect(new Set(stats.queries).size).toBe(stats.queries.length);
    expect(stats.queries.every((q) => q.includes('cluster="prod"'))).toBe(true);
    expect(snapshot.primary.state_transitions.throughput_per_sec).toBe(2);
    // success 2 / (2 + failed 2 + timed out 2)
    expect(snapshot.primary.workflow_completion.completion_rate).toBeCloseTo(1 / 3, 10);
  });

  test('failures and empties become nulls with reasons; it never throws', async () => {
    const { client } = fakePrometheus((q) =>
      q.includes('persistence_errors')
        ? new AppError('UPSTREAM_TIMEOUT', 'slow')
        : q.includes('state_transition')
          ? 5
          : 'empty',
    );
    const snapshot = await observeCluster({ cluster, atMs: 0, prometheus: client, metricStyle: 'tally' });
    expect(snapshot.metric_style).toBe('tally');
    expect(snapshot.primary.state_transitions.throughput_per_sec).toBe(5);
    expect(snapshot.primary.persistence.error_rate_per_sec).toBeNull();
    expect(snapshot.missing).toContainEqual({
      signal: 'primary.persistence.error_rate_per_sec',
      reason: 'query_failed',
      detail: 'UPSTREAM_TIMEOUT',
    });
    expect(snapshot.missing.find((m) => m.signal === 'primary.history.backlog_age_sec')?.reason).toBe('no_series');
  });

  test('a series that disappears between cycles turns into null, not a stale or zero value', async () => {
    let present = true;
    const { client } = fakePrometheus((q) =>
      q.includes('task_requests_total{service_name') && !present ? 'empty' : 7,
    );
    const first = await observeCluster({ cluster, atMs: 0, prometheus: client, metricStyle: 'otel' });
    present = false;
    const second = await observeCluster({ cluster, atMs: 30_000, prometheus: client, metricStyle: 'otel' });
    expect(first.primary.history.task_processing_rate_per_sec).toBe(7);
    expect(second.primary.history.task_processing_rate_per_sec).toBeNull();
    expect(second.missing.find((m) => m.signal === 'primary.history.task_processing_rate_per_sec')?.reason).toBe(
      'no_series',
    );
  });

  test('style is detected from metric names when not configured', async () => {
    const { client } = fakePrometheus(() => 1, ['state_transition_count_count', 'service_latency_bucket']);
    expect(await detectMetricStyle({ prometheus: client })).toBe('tally');
    const snapshot = await observeCluster({ cluster, atMs: 0, prometheus: client });
    expect(snapshot.metric_style).toBe('tally');
  });

  test('a configured style still detects bare counters and queries them without _total', async () => {
    const { client, stats } = fakePrometheus(() => 3, ['service_requests', 'task_requests', 'up']);
    const snapshot = await observeCluster({
      cluster: { ...cluster, metric_style: 'tally' },
      atMs: 0,
      prometheus: client,
    });
    expect(snapshot).toMatchObject({ metric_style: 'tally', counter_naming: 'bare' });
    expect(stats.queries).toContain(
      'sum by (task_type) (rate(task_requests{service_name="history",cluster="prod"}[1m]))',
    );
    expect(stats.queries.some((q) => q.includes('_total'))).toBe(false);
  });

  test('when names cannot be listed, counters default to _total and the cycle still runs', async () => {
    const { client } = fakePrometheus(() => 3);
    client.metricNames = async () => {
      throw new AppError('UPSTREAM_TIMEOUT', 'slow');
    };
    const snapshot = await observeCluster({ cluster, atMs: 0, prometheus: client, metricStyle: 'tally' });
    expect(snapshot.counter_naming).toBe('total');
    expect(snapshot.primary.history.task_processing_rate_per_sec).toBe(3);
  });

  test('given both style and counter naming, no names are listed', async () => {
    const { client } = fakePrometheus(() => 3);
    let listed = 0;
    client.metricNames = async () => {
      listed += 1;
      return [];
    };
    await observeCluster({ cluster, atMs: 0, prometheus: client, metricStyle: 'otel', counters: 'bare' });
    expect(listed).toBe(0);
  });

  test.each([
    [['state_transition_count_ratio_count', 'up'], 'otel'],
    [['task_latency_queue_bucket'], 'tally'],
    [['up'], null],
  ] as const)('styleFromMetricNames(%p) = %p', (names, style) => {
    expect(styleFromMetricNames(names)).toBe(style);
  });

  test('a bad selector is INVALID_INPUT before any query', async () => {
    const { client, stats } = fakePrometheus(() => 1);
    const bad = { ...cluster, selector: 'cluster="x"} or vector(1)' };
    await expect(observeCluster({ cluster: bad, atMs: 0, prometheus: client, metricStyle: 'otel' })).rejects.toThrow(
      AppError,
    );
    expect(stats.queries.length).toBe(0);
  });
});
