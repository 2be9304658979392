import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestReport } from '../../src/cli/backtest.ts';
import { runBacktest } from '../../src/cli/backtest.ts';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import { Decision, parseOrThrow } from '../../src/models/index.ts';
import type { TestDb } from '../db/backends.ts';
import { openPostgres } from '../db/backends.ts';
import type { TemporalDevServer } from '../support/temporal-dev-server.ts';
import { startTemporalDevServer } from '../support/temporal-dev-server.ts';
import type { WorkerProcess } from '../support/worker-process.ts';
import { startWorkerProcess } from '../support/worker-process.ts';
import type { ClusterRun, Phase } from './cluster-run.ts';
import { startClusterRun } from './cluster-run.ts';
import { FIXTURE_DIR, FIXTURE_OPENMETRICS, FIXTURE_PHASES } from './fixture.ts';
import type { Verdict } from './judge.ts';
import { expectJudgement, expectWorkerSignals, reportPhases } from './judge.ts';
import { recordOpenMetrics } from './record.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file runs a 13-minute cluster.
setDefaultTimeout(30 * 60_000);

/**
 * The real-cluster judgement: a real Temporal dev server under real SDK workers and clients, real faults, a real
 * Prometheus scraping it every 5 s, and the copilot judging it twice — the real observer workflow on its own
 * Temporal (the Node worker, every 10 s, decisions stored in Postgres) and `backtest` over the same Prometheus
 * afterwards. With RECORD_REAL_CLUSTER=1 the run's series are written to test/fixtures/real-cluster for the
 * fast replay test.
 */

const OBSERVE_INTERVAL_SEC = 10;
const CLUSTER = 'real-dev';

let run: ClusterRun;
let copilotTemporal: TemporalDevServer;
let db: TestDb;
let worker: WorkerProcess;
let phases: Phase[];
let backtest: BacktestReport;
let observed: Verdict[];

beforeAll(async () => {
  run = await startClusterRun();
  [copilotTemporal, db] = await Promise.all([startTemporalDevServer(), openPostgres()]);
  worker = await startWorkerProcess({
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: copilotTemporal.address,
    COPILOT_TASK_QUEUE: 'copilot-real-cluster',
    COPILOT_OBSERVE_INTERVAL_SEC: String(OBSERVE_INTERVAL_SEC),
    COPILOT_CLUSTERS: JSON.stringify([{ name: CLUSTER, prometheus_url: run.prometheus.url }]),
  });
  phases = await run.run();
  const first = phases[0];
  const last = phases.at(-1);
  if (!first || !last) throw new Error('no phases ran');
  const prometheus = createPrometheusClient({ baseUrl: run.prometheus.url });
  backtest = await runBacktest({
    prometheus,
    cluster: { name: CLUSTER, prometheus_url: run.prometheus.url },
    startMs: first.startMs,
    endMs: last.endMs,
    stepMs: 15_000,
  });
  const rows = await db.sql`SELECT decision_json FROM decisions WHERE cluster = ${CLUSTER} ORDER BY at`;
  observed = rows.map((row) => {
    const decision = parseOrThrow(Decision, JSON.parse(String(row['decision_json'])), 'stored decision');
    return {
      atMs: Date.parse(decision.at),
      state: decision.health_state,
      firing: decision.firing.filter((f) => !f.suppressed).map((f) => f.rule_id),
    };
  });
  if (process.env['RECORD_REAL_CLUSTER'] === '1') {
    mkdirSync(FIXTURE_DIR, { recursive: true });
    const text = await recordOpenMetrics({
      prometheusUrl: run.prometheus.url,
      startMs: first.startMs - 60_000,
      endMs: last.endMs,
      stepSec: 15,
    });
    writeFileSync(join(FIXTURE_DIR, FIXTURE_OPENMETRICS), Bun.gzipSync(new TextEncoder().encode(text), { level: 9 }));
    writeFileSync(join(FIXTURE_DIR, FIXTURE_PHASES), `${JSON.stringify({ phases }, null, 2)}\n`);
  }
}, 30 * 60_000);

afterAll(async () => {
  await worker?.kill();
  await run?.close();
  await copilotTemporal?.stop();
  await db?.close();
});

describe('a real Temporal cluster under real SDK load and real faults', () => {
  test('backtest over the real series judges every phase as promised', () => {
    const verdicts = backtest.timeline.map((entry) => ({
      atMs: Date.parse(entry.at),
      state: entry.health_state,
      firing: entry.firing,
    }));
    process.stderr.write(`backtest phases: ${JSON.stringify(reportPhases(verdicts, phases))}\n`);
    expectJudgement(verdicts, phases, 'backtest');
  });

  test('the real observer workflow, live every 10 s, judges every phase as promised', () => {
    process.stderr.write(`observer phases: ${JSON.stringify(reportPhases(observed, phases))}\n`);
    expect(observed.length).toBeGreaterThan(60);
    expectJudgement(observed, phases, 'observer');
  });

  test('worker signals use sdk-core’s own naming, and the killed worker reads as a dead endpoint', async () => {
    await expectWorkerSignals({ prometheusUrl: run.prometheus.url, phases });
  });

  test('every backtest step carries the whole decision: progress evidence, services, bottleneck, missing reasons', () => {
    const outage = phases.find((phase) => phase.name === 'worker_outage');
    const step = backtest.timeline.find((entry) => outage && Date.parse(entry.at) > outage.endMs - 20_000);
    expect(step?.progress).toMatchObject({ demand: 'continuing', completions_per_sec: 0 });
    expect(step?.progress?.stalled_task_queues).toBeGreaterThanOrEqual(1);
    expect(step?.services.find((service) => service.name === 'matching')?.status).toBe('critical');
    expect(step?.missing.every((missing) => missing.reason.length > 0)).toBe(true);
  });
});
