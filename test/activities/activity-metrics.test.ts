import { afterAll, beforeAll, expect, test } from 'bun:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import postgres from 'postgres';
import { createActivities } from '../../src/activities/index.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../../src/activities/worker-metrics.ts';
import { createLokiClient } from '../../src/clients/loki.ts';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import { freePort } from '../../src/demo/local-prometheus.ts';
import { parseOrThrow, SignalsSnapshot } from '../../src/models/index.ts';
import type { TestDb } from '../db/backends.ts';
import { openPostgres } from '../db/backends.ts';
import { assessment, cycle } from '../db/fixtures.ts';

/**
 * The activities record into the worker's registry where failures and writes happen: a Prometheus and a Loki that
 * are not there, a real Postgres that takes the writes, and a store that is not there.
 */

const env = new MockActivityEnvironment();
const SLOT_MS = Date.UTC(2026, 11, 1, 12);
/** "Now" for the activities: the cycle is stored 2.5 s after its slot started. */
const NOW_MS = SLOT_MS + 2_500;

let db: TestDb;
let deadUrl: string;
let metrics: WorkerMetrics;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  db = await openPostgres();
  deadUrl = `http://127.0.0.1:${await freePort()}`;
  metrics = createWorkerMetrics({ startedMs: SLOT_MS });
  activities = createActivities({
    sql: db.sql,
    prometheusFor: () => createPrometheusClient({ baseUrl: deadUrl, maxAttempts: 1 }),
    lokiFor: () => createLokiClient({ baseUrl: deadUrl, maxAttempts: 1 }),
    clock: () => NOW_MS,
    metrics,
  });
});

afterAll(async () => {
  await db?.close();
});

const samples = (pattern: RegExp) =>
  metrics
    .exposition()
    .split('\n')
    .filter((line) => pattern.test(line) && !line.startsWith('#'));

function sampleOf(lines: readonly string[], prefix: string): number | null {
  const line = lines.find((l) => l.startsWith(prefix));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('Prometheus down: one failure per failed signal query, under the client error code', async () => {
  const cluster = { name: 'blind', prometheus_url: deadUrl };
  const snapshot = parseOrThrow(
    SignalsSnapshot,
    await env.run(activities.fetchSignals, { cluster, atMs: SLOT_MS }),
    'snapshot',
  );
  const failed = snapshot.missing.filter((m) => m.reason === 'query_failed');
  expect(failed.length).toBeGreaterThan(0);
  expect(samples(/^copilot_query_failures_total/)).toEqual([
    `copilot_query_failures_total{cluster="blind",source="prometheus",code="UPSTREAM_UNREACHABLE"} ${failed.length}`,
  ]);
});

test('Loki down: the log-pattern count fails and is counted as a loki failure', async () => {
  const cluster = { name: 'nologs', prometheus_url: deadUrl, loki_url: deadUrl };
  const failure = await env
    .run(activities.countLogPatterns, { cluster, startMs: SLOT_MS - 60_000, endMs: SLOT_MS })
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(Error);
  expect(samples(/source="loki"/)).toEqual([
    'copilot_query_failures_total{cluster="nologs",source="loki",code="UPSTREAM_UNREACHABLE"} 1',
  ]);
});

test('writeCycle: the histogram sees how late the cycle was stored; a retried write counts as a duplicate', async () => {
  const input = cycle({ cluster: 'stored', atMs: SLOT_MS, cycleKey: `stored:${SLOT_MS}` });
  expect(await env.run(activities.writeCycle, input)).toEqual({ inserted: true });
  expect(await env.run(activities.writeCycle, input)).toEqual({ inserted: false });
  const lines = samples(/cluster="stored"/);
  expect({
    le2: sampleOf(lines, 'copilot_cycle_duration_seconds_bucket{cluster="stored",le="2"}'),
    le5: sampleOf(lines, 'copilot_cycle_duration_seconds_bucket{cluster="stored",le="5"}'),
    sum: sampleOf(lines, 'copilot_cycle_duration_seconds_sum{cluster="stored"}'),
    last: sampleOf(lines, 'copilot_last_cycle_timestamp_seconds{cluster="stored"}'),
    inserted: sampleOf(lines, 'copilot_cycles_stored_total{cluster="stored",result="inserted"}'),
    duplicate: sampleOf(lines, 'copilot_cycles_stored_total{cluster="stored",result="duplicate"}'),
  }).toEqual({ le2: 0, le5: 1, sum: 2.5, last: SLOT_MS / 1000, inserted: 1, duplicate: 1 });
});

test('writeAssessment counts the assessment by explainer, once', async () => {
  const input = { assessment: assessment({ cluster: 'explained', key: `assess-explained-${SLOT_MS}`, atMs: SLOT_MS }) };
  expect(await env.run(activities.writeAssessment, input)).toEqual({ inserted: true });
  expect(await env.run(activities.writeAssessment, input)).toEqual({ inserted: false });
  expect(samples(/^copilot_assessments_written_total/)).toEqual([
    'copilot_assessments_written_total{cluster="explained",explainer="rules"} 1',
  ]);
});

test('a store that is not there: each failed store activity is a store error of its operation', async () => {
  const deadSql = postgres(`postgres://postgres:x@127.0.0.1:${await freePort()}/none`, {
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
  });
  try {
    const local = createWorkerMetrics({ startedMs: SLOT_MS });
    const offline = createActivities({
      sql: deadSql,
      prometheusFor: () => createPrometheusClient({ baseUrl: deadUrl, maxAttempts: 1 }),
      lokiFor: () => null,
      clock: () => NOW_MS,
      metrics: local,
    });
    const failure = await env.run(offline.latestCycle, { cluster: 'stored' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const lines = local.exposition().split('\n');
    expect(lines.filter((line) => line.startsWith('copilot_worker_store_errors_total'))).toEqual([
      'copilot_worker_store_errors_total{operation="latestCycle",code="STORE_UNAVAILABLE"} 1',
    ]);
    // Nothing was stored, so the cycle families stay declared and empty.
    expect(lines.filter((line) => line.startsWith('copilot_cycle'))).toEqual([]);
  } finally {
    await deadSql.end({ timeout: 1 });
  }
});
