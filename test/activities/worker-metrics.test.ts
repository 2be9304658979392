import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { createWorkerMetrics } from '../../src/activities/worker-metrics.ts';
import type { ExplainerCallRecord } from '../../src/models/index.ts';
import { promtoolCheckMetrics } from '../support/promtool.ts';

const STARTED_MS = Date.UTC(2026, 11, 1, 12);

const FAMILIES = [
  'copilot_worker_start_time_seconds gauge',
  'copilot_cycle_duration_seconds histogram',
  'copilot_last_cycle_timestamp_seconds gauge',
  'copilot_cycles_stored_total counter',
  'copilot_query_failures_total counter',
  'copilot_assessments_written_total counter',
  'copilot_explainer_calls_total counter',
  'copilot_explainer_tokens_total counter',
  'copilot_explainer_cost_usd_total counter',
  'copilot_explainer_latency_seconds histogram',
  'copilot_worker_store_errors_total counter',
];

function typesOf(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+ \S+)$/gm)].map((match) => match[1] ?? '');
}

function samplesOf(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

const call = (overrides: Partial<ExplainerCallRecord> = {}): ExplainerCallRecord => ({
  cluster: 'prod',
  provider: 'openai-compatible',
  model: 'smollm2',
  role: 'researcher',
  outcome: 'accepted',
  inputTokens: 1200,
  outputTokens: 300,
  latencyMs: 3_500,
  costUsd: 0.0125,
  ...overrides,
});

describe('worker metrics registry', () => {
  test('before anything happened: every family declared, only the start time sampled; promtool accepts it', async () => {
    const text = createWorkerMetrics({ startedMs: STARTED_MS }).exposition();
    expect(typesOf(text)).toEqual(FAMILIES);
    expect(samplesOf(text)).toEqual([`copilot_worker_start_time_seconds ${STARTED_MS / 1000}`]);
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
  });

  test('cycles: histogram of how late each was stored, last slot, inserted and duplicate writes', async () => {
    const metrics = createWorkerMetrics({ startedMs: STARTED_MS });
    const slot = STARTED_MS + 30_000;
    metrics.cycleStored({ cluster: 'prod', slotMs: slot, durationMs: 1_500, inserted: true });
    metrics.cycleStored({ cluster: 'prod', slotMs: slot - 30_000, durationMs: 40_000, inserted: true });
    metrics.cycleStored({ cluster: 'prod', slotMs: slot, durationMs: 9_000, inserted: false });
    const text = metrics.exposition();
    const samples = samplesOf(text).filter((line) => /cycle/.test(line));
    expect(samples).toEqual([
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="0.5"} 0',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="1"} 0',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="2"} 1',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="5"} 1',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="10"} 1',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="15"} 1',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="20"} 1',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="30"} 1',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="60"} 2',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="120"} 2',
      'copilot_cycle_duration_seconds_bucket{cluster="prod",le="+Inf"} 2',
      'copilot_cycle_duration_seconds_sum{cluster="prod"} 41.5',
      'copilot_cycle_duration_seconds_count{cluster="prod"} 2',
      // The older slot stored later does not move the newest slot back.
      `copilot_last_cycle_timestamp_seconds{cluster="prod"} ${slot / 1000}`,
      'copilot_cycles_stored_total{cluster="prod",result="inserted"} 2',
      'copilot_cycles_stored_total{cluster="prod",result="duplicate"} 1',
    ]);
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
  });

  test('query failures and store errors: codes are ours or OTHER, so a stray string cannot add series', () => {
    const metrics = createWorkerMetrics({ startedMs: STARTED_MS });
    metrics.queryFailed({ cluster: 'prod', source: 'prometheus', code: 'UPSTREAM_UNREACHABLE' });
    metrics.queryFailed({ cluster: 'prod', source: 'prometheus', code: 'UPSTREAM_UNREACHABLE' });
    metrics.queryFailed({ cluster: 'prod', source: 'loki', code: 'ECONNRESET from somewhere' });
    metrics.storeError({ operation: 'writeCycle', code: 'STORE_UNAVAILABLE' });
    metrics.storeError({ operation: 'writeCycle', code: 'UNEXPECTED' });
    const samples = samplesOf(metrics.exposition()).filter((line) => /failures|store_errors/.test(line));
    expect(samples).toEqual([
      'copilot_query_failures_total{cluster="prod",source="prometheus",code="UPSTREAM_UNREACHABLE"} 2',
      'copilot_query_failures_total{cluster="prod",source="loki",code="OTHER"} 1',
      'copilot_worker_store_errors_total{operation="writeCycle",code="STORE_UNAVAILABLE"} 1',
      'copilot_worker_store_errors_total{operation="writeCycle",code="OTHER"} 1',
    ]);
  });

  test('assessments count new rows only; explainer calls, tokens, cost and latency per provider/model/role', async () => {
    const metrics = createWorkerMetrics({ startedMs: STARTED_MS });
    metrics.assessmentWritten({ cluster: 'prod', explainer: 'rules', inserted: true });
    metrics.assessmentWritten({ cluster: 'prod', explainer: 'rules', inserted: false });
    metrics.explainerCall(call());
    metrics.explainerCall(call({ outcome: 'rejected', latencyMs: 150_000, costUsd: 0.0075 }));
    metrics.explainerCall(call({ role: 'dispatcher', outcome: 'failed', inputTokens: 0, outputTokens: 0 }));
    const text = metrics.exposition();
    const at = 'provider="openai-compatible",model="smollm2"';
    const samples = samplesOf(text).filter((line) => /assessments|explainer_(calls|tokens|cost)/.test(line));
    expect(samples).toEqual([
      'copilot_assessments_written_total{cluster="prod",explainer="rules"} 1',
      `copilot_explainer_calls_total{${at},role="researcher",outcome="accepted"} 1`,
      `copilot_explainer_calls_total{${at},role="researcher",outcome="rejected"} 1`,
      `copilot_explainer_calls_total{${at},role="dispatcher",outcome="failed"} 1`,
      `copilot_explainer_tokens_total{${at},role="researcher",direction="input"} 2400`,
      `copilot_explainer_tokens_total{${at},role="researcher",direction="output"} 600`,
      `copilot_explainer_tokens_total{${at},role="dispatcher",direction="input"} 0`,
      `copilot_explainer_tokens_total{${at},role="dispatcher",direction="output"} 0`,
      `copilot_explainer_cost_usd_total{${at},role="researcher"} 0.02`,
      `copilot_explainer_cost_usd_total{${at},role="dispatcher"} 0.0125`,
    ]);
    expect(samplesOf(text).filter((line) => line.includes('latency_seconds_') && line.includes('researcher'))).toEqual([
      ...['0.5', '1', '2'].map(
        (le) => `copilot_explainer_latency_seconds_bucket{${at},role="researcher",le="${le}"} 0`,
      ),
      ...['5', '10', '20', '30', '60', '120'].map(
        (le) => `copilot_explainer_latency_seconds_bucket{${at},role="researcher",le="${le}"} 1`,
      ),
      `copilot_explainer_latency_seconds_bucket{${at},role="researcher",le="+Inf"} 2`,
      `copilot_explainer_latency_seconds_sum{${at},role="researcher"} 153.5`,
      `copilot_explainer_latency_seconds_count{${at},role="researcher"} 2`,
    ]);
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
  });

  test('label values are escaped', async () => {
    const metrics = createWorkerMetrics({ startedMs: STARTED_MS });
    metrics.queryFailed({ cluster: 'we"ird\\name\nx', source: 'prometheus', code: 'UPSTREAM_STATUS' });
    const text = metrics.exposition();
    expect(text).toContain('copilot_query_failures_total{cluster="we\\"ird\\\\name\\nx",source="prometheus"');
    expect((await promtoolCheckMetrics(text)).code).toBe(0);
  });

  test('recording never throws and never writes a non-finite sample, whatever the numbers', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), fc.double(), fc.boolean(), (a, b, c, inserted) => {
        const metrics = createWorkerMetrics({ startedMs: STARTED_MS });
        metrics.cycleStored({ cluster: 'x', slotMs: a, durationMs: b, inserted });
        metrics.explainerCall(call({ inputTokens: a, outputTokens: b, latencyMs: c, costUsd: c }));
        const values = samplesOf(metrics.exposition()).map((line) => line.slice(line.lastIndexOf(' ') + 1));
        expect(values.filter((value) => !Number.isFinite(Number(value)) && value !== '+Inf')).toEqual([]);
      }),
    );
  });
});
