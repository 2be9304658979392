import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { latestAssessment } from '../../src/db/index.ts';
import { freePort } from '../../src/demo/local-prometheus.ts';
import type { TemporalHandle } from '../../src/temporal.ts';
import { connectTemporal, queryObserver } from '../../src/temporal.ts';
import type { TestDb } from '../db/backends.ts';
import { openPostgres } from '../db/backends.ts';
import { promtoolCheckMetrics } from '../support/promtool.ts';
import { waitFor } from '../support/temporal.ts';
import type { TemporalDevServer } from '../support/temporal-dev-server.ts';
import { startTemporalDevServer } from '../support/temporal-dev-server.ts';
import type { WorkerProcess } from '../support/worker-process.ts';
import { startWorkerProcess } from '../support/worker-process.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file starts real servers.
setDefaultTimeout(600_000);

/**
 * The worker as users run it (Node, dist/worker.js) against a real Temporal dev server and the real Postgres store,
 * observing a cluster whose Prometheus is down: no data is not zero, so the state is `unknown`, the assessment says
 * so honestly, and the loop keeps going. SIGTERM shuts the worker down cleanly.
 */

let server: TemporalDevServer;
let db: TestDb;
let temporal: TemporalHandle;
let worker: WorkerProcess;
let metricsUrl: string;

beforeAll(async () => {
  [server, db] = await Promise.all([startTemporalDevServer(), openPostgres()]);
  temporal = await connectTemporal({ address: server.address, namespace: 'default' });
  const deadPrometheus = `http://127.0.0.1:${await freePort()}`;
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  worker = await startWorkerProcess({
    COPILOT_WORKER_METRICS_PORT: String(metricsPort),
    COPILOT_WORKER_METRICS_HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: server.address,
    COPILOT_TASK_QUEUE: 'copilot-prometheus-down',
    COPILOT_OBSERVE_INTERVAL_SEC: '5',
    COPILOT_CLUSTERS: JSON.stringify([{ name: 'blind-one', prometheus_url: deadPrometheus }]),
  });
});

afterAll(async () => {
  await worker?.kill();
  await temporal?.close();
  await server?.stop();
  await db?.close();
});

test('Prometheus down: unknown, an honest assessment, and the loop keeps cycling', async () => {
  const assessment = await waitFor({
    what: 'the first assessment of blind-one',
    check: () => latestAssessment(db.sql, { cluster: 'blind-one' }),
  });
  expect({
    state: assessment.health_state,
    quality: assessment.decision.data_quality,
    trigger: assessment.trigger,
    explainer: assessment.explainer,
    key: assessment.assessment_key.startsWith('assess-blind-one-'),
  }).toEqual({ state: 'unknown', quality: 'blind', trigger: 'state_change', explainer: 'rules', key: true });
  expect(assessment.summary).toContain('unknown');
  expect(assessment.summary).not.toMatch(/normal|is happy|is healthy/i);

  const cycles = await waitFor({
    what: 'three stored cycles',
    check: async () => {
      const rows = await db.sql`SELECT count(*)::int AS n FROM decisions WHERE cluster = 'blind-one'`;
      const n = Number(rows[0]?.['n'] ?? 0);
      return n >= 3 ? n : null;
    },
  });
  expect(cycles).toBeGreaterThanOrEqual(3);
  const current = await queryObserver({ client: temporal.client, cluster: 'blind-one' });
  expect(current.engineState.health_state).toBe('unknown');
  expect(current.decision?.health_state).toBe('unknown');
  // Unchanged unknown decisions are not re-explained: still exactly one assessment.
  const assessments = await db.sql`SELECT count(*)::int AS n FROM assessments WHERE cluster = 'blind-one'`;
  expect(Number(assessments[0]?.['n'])).toBe(1);
});

/** One sample's value from the exposition, or null when the series is absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

test("the worker's own /metrics: Prometheus failures and stored cycles move, and promtool accepts it", async () => {
  const scrape = async () => {
    const reply = await fetch(metricsUrl);
    return reply.ok ? reply.text() : null;
  };
  // The cycles counted above were stored before this scrape; wait for one more so the counters have moved twice.
  const first = await waitFor({ what: 'a scrape of the worker', check: scrape });
  const cycles = (text: string) => sample(text, 'copilot_cycle_duration_seconds_count{cluster="blind-one"}') ?? 0;
  const failures = (text: string) =>
    sample(text, 'copilot_query_failures_total{cluster="blind-one",source="prometheus",code="UPSTREAM_UNREACHABLE"}') ??
    0;
  const later = await waitFor({
    what: 'a later cycle in the worker metrics',
    check: async () => {
      const text = await scrape();
      return text !== null && cycles(text) > cycles(first) ? text : null;
    },
  });
  expect(cycles(first)).toBeGreaterThanOrEqual(3);
  expect(failures(later)).toBeGreaterThan(failures(first));
  expect(sample(later, 'copilot_assessments_written_total{cluster="blind-one",explainer="rules"}')).toBe(1);
  expect(sample(later, 'copilot_last_cycle_timestamp_seconds{cluster="blind-one"}')).toBeGreaterThan(
    Date.now() / 1000 - 120,
  );
  expect(await promtoolCheckMetrics(later)).toEqual({ code: 0, output: '' });
});

test('SIGTERM drains the worker and it exits 0', async () => {
  expect(await worker.stop()).toBe(0);
  // The metrics server went down with it.
  expect(
    await fetch(metricsUrl).then(
      () => 'answered',
      () => 'refused',
    ),
  ).toBe('refused');
});
