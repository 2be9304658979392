import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusFromOpenMetrics, startPrometheusWithFixtures } from '../../src/demo/local-prometheus.ts';
import { FIXTURE_START_MS, scenarioSpecs } from '../../src/demo/scenarios.ts';
import { bucketQuantile, parseBucketBound } from '../../src/signals/bucket-quantile.ts';
import { buildSignalQueries } from '../../src/signals/index.ts';
import { planSignalQueries } from '../../src/signals/query-plan.ts';
import { expectPlanMatchesDirect } from './plan-equivalence.ts';

const MIN = 60_000;

describe('bucketQuantile is Prometheus’s histogram_quantile', () => {
  // Random classic histograms, written as plain series with an `le` label (histogram_quantile needs nothing else):
  // shuffled bounds, the same bound spelled twice, decreasing counts, no +Inf, no observations, negative bounds.
  const Histogram = fc.record({
    bounds: fc.uniqueArray(fc.constantFrom('-1', '0', '0.005', '0.1', '1', '1.0', '2.5', '10', '1e+02', '300'), {
      minLength: 0,
      maxLength: 7,
    }),
    withInf: fc.boolean(),
    counts: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })), {
      minLength: 8,
      maxLength: 8,
    }),
  });
  const cases = fc.sample(Histogram, { numRuns: 150, seed: 20261201 });
  const quantiles = [0, 0.01, 0.5, 0.95, 0.99, 1];
  const atMs = FIXTURE_START_MS;
  let prometheus: LocalPrometheus;
  beforeAll(async () => {
    const lines = ['# TYPE hq gauge'];
    cases.forEach((c, index) => {
      const bounds = c.withInf ? [...c.bounds, '+Inf'] : c.bounds;
      bounds.forEach((le, i) => {
        lines.push(`hq{case="${index}",le="${le}"} ${c.counts[i] ?? 0} ${(atMs / 1000).toFixed(3)}`);
      });
    });
    prometheus = await startPrometheusFromOpenMetrics({ openMetrics: `${lines.join('\n')}\n# EOF\n` });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
  });

  test('parseBucketBound reads what Go’s ParseFloat reads', () => {
    expect(parseBucketBound('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseBucketBound('1e+02')).toBe(100);
    expect(parseBucketBound('0.005')).toBe(0.005);
    expect(parseBucketBound('')).toBeNull();
    expect(parseBucketBound('abc')).toBeNull();
  });

  test('the same value as the real Prometheus for every random histogram and quantile', async () => {
    const client = createPrometheusClient({ baseUrl: prometheus.url });
    let compared = 0;
    for (const q of quantiles) {
      const answer = await client.query({ query: `histogram_quantile(${q}, hq)`, timeMs: atMs });
      if (answer.resultType !== 'vector') throw new Error('expected a vector');
      const byCase = new Map(answer.series.map((s) => [Number(s.metric['case']), s.value]));
      cases.forEach((c, index) => {
        const bounds = c.withInf ? [...c.bounds, '+Inf'] : c.bounds;
        if (bounds.length === 0) return;
        const buckets = bounds.map((le, i) => ({ upperBound: parseBucketBound(le) ?? 0, count: c.counts[i] ?? 0 }));
        const mine = bucketQuantile(q, buckets);
        const theirs = byCase.get(index);
        compared += 1;
        if (theirs === undefined || Number.isNaN(theirs)) expect([index, q, mine]).toEqual([index, q, Number.NaN]);
        else
          expect([index, q, Math.abs(mine - theirs) <= 1e-9 * Math.max(1, Math.abs(theirs))]).toEqual([index, q, true]);
      });
    }
    expect(compared).toBeGreaterThan(500);
  });
});

describe('the grouped plan against a real Prometheus holding every synthetic scenario', () => {
  for (const naming of [
    { style: 'otel', counters: 'total' },
    { style: 'tally', counters: 'bare' },
  ] as const) {
    describe(`${naming.style} naming, ${naming.counters} counters`, () => {
      let prometheus: LocalPrometheus;
      beforeAll(async () => {
        prometheus = await startPrometheusWithFixtures({
          ...naming,
          startMs: FIXTURE_START_MS,
          scenarios: scenarioSpecs(),
        });
      }, 120_000);
      afterAll(async () => {
        await prometheus?.stop();
      });

      test('every scenario’s queries read the same through the plan as sent alone', async () => {
        for (const scenario of scenarioSpecs()) {
          const result = await expectPlanMatchesDirect({
            prometheusUrl: prometheus.url,
            naming,
            matchers: [{ name: 'cluster', op: '=', value: scenario.cluster }],
            instantsMs: [8, 22, 38].map((minute) => FIXTURE_START_MS + minute * MIN),
          });
          expect(result.withValue).toBeGreaterThan(0);
        }
      }, 120_000);

      test('as one fleet: every cluster reads the same through requests shared by all of them', async () => {
        const fleet = { label: 'cluster', values: scenarioSpecs().map((s) => s.cluster) };
        const perCluster: string[][] = [];
        for (const scenario of scenarioSpecs()) {
          const result = await expectPlanMatchesDirect({
            prometheusUrl: prometheus.url,
            naming,
            matchers: [{ name: 'cluster', op: '=', value: scenario.cluster }],
            instantsMs: [8, 38].map((minute) => FIXTURE_START_MS + minute * MIN),
            fleet,
          });
          perCluster.push(result.requestTexts.filter((r) => r.includes('cluster=~')));
        }
        // The shared requests are the same text for every peer (so one answer serves all), and most requests.
        const first = perCluster[0] ?? [];
        expect(first.length).toBeGreaterThan(40);
        for (const requests of perCluster) expect(requests).toEqual(first);
      }, 180_000);
    });
  }
});

describe('planQueries', () => {
  const matchers = [{ name: 'cluster', op: '=' as const, value: 'prod' }];
  const queries = buildSignalQueries({ style: 'tally', counters: 'bare', matchers });
  const plan = planSignalQueries({ queries, clusterMatchers: matchers });
  const successQuery =
    'sum(rate(workflow_success{cluster="prod"}[1m])) or (0 * sum(rate(persistence_requests{service_name="history",cluster="prod"}[1m])))';
  const aliveRequest = 'sum by (service_name) (rate(persistence_requests{cluster="prod"}[1m]))';

  test('fewer requests than queries, every request scoped to the cluster, no query left unanswered', () => {
    const distinct = new Set(queries.flatMap((q) => Object.values(q.inputs)));
    expect(plan.requests.length).toBeLessThan(distinct.size);
    expect(plan.requests.every((request) => request.includes('cluster="prod"'))).toBe(true);
    const outcomes = plan.resolve(() => ({ kind: 'vector', series: [] }));
    expect([...outcomes.keys()].sort()).toEqual([...distinct].sort());
    expect(plan.requests).toContain(aliveRequest);
  });

  test('a first-occurrence counter: its own rate, else 0 while the alive series exists, else unknown', () => {
    const answer = (success: number | null, alive: 'history' | 'other' | 'failed') => (request: string) => {
      if (request === aliveRequest) {
        if (alive === 'failed') return { kind: 'failed' as const, code: 'UPSTREAM_TIMEOUT' };
        return { kind: 'vector' as const, series: [{ labels: { service_name: alive }, value: 5 }] };
      }
      if (request.startsWith('sum(rate(workflow_success')) {
        return { kind: 'vector' as const, series: success === null ? [] : [{ labels: {}, value: success }] };
      }
      return { kind: 'vector' as const, series: [] };
    };
    expect(plan.resolve(answer(2, 'failed')).get(successQuery)).toEqual({ kind: 'value', value: 2 });
    expect(plan.resolve(answer(null, 'history')).get(successQuery)).toEqual({ kind: 'value', value: 0 });
    expect(plan.resolve(answer(null, 'other')).get(successQuery)).toEqual({ kind: 'no_series' });
    expect(plan.resolve(answer(null, 'failed')).get(successQuery)).toEqual({
      kind: 'failed',
      code: 'UPSTREAM_TIMEOUT',
    });
  });

  test('a failed grouped request fails every query it answers, with its code', () => {
    const outcomes = plan.resolve((request) =>
      request.includes('temporal_num_pollers') ? { kind: 'failed', code: 'UPSTREAM_HTTP_ERROR' } : undefined,
    );
    const pollers = [...outcomes].filter(([query]) => query.startsWith('sum(temporal_num_pollers'));
    expect(pollers.length).toBe(3);
    for (const [, outcome] of pollers) expect(outcome).toEqual({ kind: 'failed', code: 'UPSTREAM_HTTP_ERROR' });
  });
});
