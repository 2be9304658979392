import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { runBacktest } from '../../src/cli/backtest.ts';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusWithFixtures } from '../../src/demo/local-prometheus.ts';
import type { ScenarioName } from '../../src/demo/scenarios.ts';
import {
  atMinute,
  FIXTURE_START_MS,
  SCENARIO_DURATION_SEC,
  SCENARIOS,
  scenarioSpecs,
} from '../../src/demo/scenarios.ts';
import type { CounterNaming, SignalsSnapshot } from '../../src/models/index.ts';
import { buildSignalQueries, catalogMetrics } from '../../src/signals/catalog.ts';
import { counterNamingFromMetricNames, detectMetricNaming } from '../../src/signals/detect-style.ts';
import { observeRange } from '../../src/signals/range.ts';

const prod = [{ name: 'cluster', op: '=' as const, value: 'prod' }];
const MARKERS = ['service_requests', 'persistence_requests', 'task_requests', 'client_requests'];

describe('counter naming in the catalog', () => {
  test('bare queries are the _total queries with the suffix dropped, and nothing else changes', () => {
    for (const style of ['otel', 'tally'] as const) {
      const total = buildSignalQueries({ style, counters: 'total', matchers: prod });
      const bare = buildSignalQueries({ style, counters: 'bare', matchers: prod });
      expect(bare.map((q) => q.id)).toEqual(total.map((q) => q.id));
      total.forEach((q, index) => {
        const stripped = Object.fromEntries(
          Object.entries(q.inputs).map(([name, promql]) => [name, promql.replaceAll('_total{', '{')]),
        );
        expect(bare[index]?.inputs).toEqual(stripped);
      });
      expect(JSON.stringify(bare)).not.toContain('_total');
    }
  });

  test('catalogMetrics maps exported names back to their Temporal family', () => {
    const tally = catalogMetrics({ style: 'tally', counters: 'bare' });
    const otel = catalogMetrics({ style: 'otel' });
    const familyOf = (list: typeof tally, name: string) => list.find((m) => m.name === name)?.family;
    expect(familyOf(tally, 'task_requests')).toBe('task_requests');
    expect(familyOf(otel, 'task_requests_total')).toBe('task_requests');
    expect(familyOf(otel, 'persistence_latency_milliseconds_bucket')).toBe('persistence_latency');
    expect(familyOf(tally, 'state_transition_count_count')).toBe('state_transition_count');
    expect(tally.find((m) => m.name === 'task_requests')?.signals).toContain(
      'primary.history.task_processing_rate_per_sec',
    );
    expect(new Set(tally.map((m) => m.family))).toEqual(new Set(otel.map((m) => m.family)));
  });

  test('counter naming is read from marker counters; the majority wins, a tie is total, none is null', () => {
    expect(counterNamingFromMetricNames(['service_requests', 'task_requests', 'up'])).toBe('bare');
    expect(counterNamingFromMetricNames(['service_requests_total', 'service_requests'])).toBe('total');
    expect(counterNamingFromMetricNames(['up', 'service_latency_bucket'])).toBeNull();
    fc.assert(
      fc.property(
        fc.constantFrom<CounterNaming>('total', 'bare'),
        fc.subarray(MARKERS, { minLength: 1 }),
        fc.array(fc.stringMatching(/^[a-z_]{1,20}$/), { maxLength: 20 }),
        (naming, markers, noise) => {
          const names = [...markers.map((m) => (naming === 'total' ? `${m}_total` : m)), ...noise];
          const other = MARKERS.filter((m) => !markers.includes(m)).length;
          // Noise may spell other markers; the answer may only move when it does.
          const noiseMarkers = noise.filter((n) => MARKERS.includes(n) || MARKERS.includes(n.replace(/_total$/, '')));
          if (noiseMarkers.length === 0 || other === 0) {
            expect(counterNamingFromMetricNames(names)).toBe(naming);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Snapshot values without the naming fields, so the two namings' snapshots can be compared. */
const values = ({ counter_naming: _naming, ...rest }: SignalsSnapshot) => rest;

describe('scenario fixtures with bare counters, through a real Prometheus and the backtest path', () => {
  let bare: LocalPrometheus;
  let total: LocalPrometheus;
  beforeAll(async () => {
    const scenarios = scenarioSpecs();
    [bare, total] = await Promise.all([
      startPrometheusWithFixtures({ style: 'tally', counters: 'bare', startMs: FIXTURE_START_MS, scenarios }),
      startPrometheusWithFixtures({ style: 'tally', counters: 'total', startMs: FIXTURE_START_MS, scenarios }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([bare?.stop(), total?.stop()]);
  });

  const client = (p: LocalPrometheus) => createPrometheusClient({ baseUrl: p.url, maxAttempts: 1 });
  const range = { startMs: FIXTURE_START_MS, endMs: FIXTURE_START_MS + SCENARIO_DURATION_SEC * 1000, stepMs: 30_000 };

  test('detection tells the two fixture sets apart', async () => {
    // Bare `_bucket` timers leave the unit to the bucket bounds (see timerUnitFromBuckets).
    expect(await detectMetricNaming({ prometheus: client(bare) })).toEqual({
      style: 'tally',
      counters: 'bare',
      timerUnit: null,
    });
    expect(await detectMetricNaming({ prometheus: client(total) })).toEqual({
      style: 'tally',
      counters: 'total',
      timerUnit: null,
    });
  });

  test.each(Object.keys(SCENARIOS) as ScenarioName[])('%s: same snapshots and timeline either way', async (name) => {
    const cluster = { name, prometheus_url: bare.url, selector: `cluster="${name}"` };
    const [bareSnapshots, totalSnapshots] = await Promise.all([
      observeRange({ ...range, cluster, prometheus: client(bare), metricStyle: 'tally' }),
      observeRange({ ...range, cluster, prometheus: client(total), metricStyle: 'tally' }),
    ]);
    expect(bareSnapshots.every((s) => s.counter_naming === 'bare')).toBe(true);
    expect(totalSnapshots.every((s) => s.counter_naming === 'total')).toBe(true);
    expect(bareSnapshots.map(values)).toEqual(totalSnapshots.map(values));
    const [bareReport, totalReport] = await Promise.all([
      runBacktest({ ...range, cluster, prometheus: client(bare) }),
      runBacktest({ ...range, cluster, prometheus: client(total) }),
    ]);
    expect(bareReport).toEqual(totalReport);
  });

  test('the bug this fixes: _total queries against bare counters read every counter signal as no_series', async () => {
    const cluster = { name: 'healthy', prometheus_url: bare.url, selector: 'cluster="healthy"' };
    const atMs = Date.parse(atMinute(20));
    const at = { ...range, startMs: atMs, endMs: atMs };
    const [wrong] = await observeRange({
      ...at,
      cluster,
      prometheus: client(bare),
      metricStyle: 'tally',
      counters: 'total',
    });
    const [right] = await observeRange({ ...at, cluster, prometheus: client(bare), metricStyle: 'tally' });
    const counterSignals = [
      'primary.history.task_processing_rate_per_sec',
      'primary.workflow_completion.success_per_sec',
      'primary.workflow_completion.completion_rate',
      'primary.poller.poll_timeout_rate',
      'primary.persistence.error_rate_per_sec',
    ];
    for (const id of counterSignals) {
      expect(wrong?.missing.find((m) => m.signal === id)?.reason).toBe('no_series');
      expect(right?.missing.find((m) => m.signal === id)).toBeUndefined();
    }
    expect(right?.primary.history.task_processing_rate_per_sec).toBeCloseTo(120.2, 6); // workflow tasks 120/s + deletes 0.2/s
    expect(wrong?.primary.state_transitions.throughput_per_sec).toBe(
      right?.primary.state_transitions.throughput_per_sec ?? -1,
    );
  });
});
