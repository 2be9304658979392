import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { freePort, startPrometheusScraping } from '../../src/demo/local-prometheus.ts';
import type { TemporalHandle } from '../../src/temporal.ts';
import { connectTemporal, listCopilotWorkflows, queryObserver } from '../../src/temporal.ts';
import type { TestDb } from '../db/backends.ts';
import { openPostgres } from '../db/backends.ts';
import { waitFor } from '../support/temporal.ts';
import type { TemporalDevServer } from '../support/temporal-dev-server.ts';
import { startTemporalDevServer } from '../support/temporal-dev-server.ts';
import type { WorkerProcess } from '../support/worker-process.ts';
import { startWorkerProcess } from '../support/worker-process.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file starts real servers.
setDefaultTimeout(600_000);

/**
 * Two clusters observed at once by the Node worker: `live` reads a REAL Prometheus that scrapes the Temporal dev
 * server's own metrics, `dead` points at a port nobody listens on. The worker is SIGKILLed right after a cycle is
 * written and started again: no cycle or assessment is duplicated, both loops resume, nothing crosses clusters.
 * With RECORD_HISTORIES=1 it also records the observer's history for the replay test.
 */

let server: TemporalDevServer;
let prometheus: LocalPrometheus;
let db: TestDb;
let temporal: TemporalHandle;
const workers: WorkerProcess[] = [];

async function cycles(cluster: string): Promise<number> {
  const rows = await db.sql`SELECT count(*)::int AS n FROM decisions WHERE cluster = ${cluster}`;
  return Number(rows[0]?.['n'] ?? 0);
}

async function assessmentCount(cluster: string): Promise<number> {
  const rows = await db.sql`SELECT count(*)::int AS n FROM assessments WHERE cluster = ${cluster}`;
  return Number(rows[0]?.['n'] ?? 0);
}

let env: Record<string, string>;

beforeAll(async () => {
  [server, db] = await Promise.all([startTemporalDevServer(), openPostgres()]);
  prometheus = await startPrometheusScraping({ targets: [server.metricsTarget], scrapeIntervalSec: 1 });
  temporal = await connectTemporal({ address: server.address, namespace: 'default' });
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: server.address,
    COPILOT_TASK_QUEUE: 'copilot-crash',
    COPILOT_OBSERVE_INTERVAL_SEC: '5',
    COPILOT_CLUSTERS: JSON.stringify([
      { name: 'live', prometheus_url: prometheus.url },
      { name: 'dead', prometheus_url: `http://127.0.0.1:${await freePort()}` },
    ]),
  };
});

afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await temporal?.close();
  await prometheus?.stop();
  await server?.stop();
  await db?.close();
});

test('SIGKILL mid-run and restart: loops resume, no duplicates, no cross-talk between two clusters', async () => {
  const first = await startWorkerProcess(env);
  workers.push(first);
  await waitFor({
    what: 'two cycles and an assessment for both clusters',
    check: async () =>
      (await cycles('live')) >= 2 &&
      (await cycles('dead')) >= 2 &&
      (await assessmentCount('live')) >= 1 &&
      (await assessmentCount('dead')) >= 1,
  });
  const before = await cycles('live');
  await waitFor({ what: 'the next live cycle', check: async () => (await cycles('live')) > before });
  expect(await first.kill()).not.toBe(0);
  const atKill = { live: await cycles('live'), dead: await cycles('dead') };

  const second = await startWorkerProcess(env);
  workers.push(second);
  await waitFor({
    what: 'three more cycles of each cluster after the restart',
    check: async () => (await cycles('live')) >= atKill.live + 3 && (await cycles('dead')) >= atKill.dead + 3,
  });

  const duplicateCycles = await db.sql`SELECT cluster, cycle_key FROM decisions
    GROUP BY cluster, cycle_key HAVING count(*) > 1`;
  const duplicateAssessments = await db.sql`SELECT cluster, assessment_json::jsonb -> 'decision' ->> 'at' AS at
    FROM assessments WHERE trigger <> 'scheduled'
    GROUP BY cluster, assessment_json::jsonb -> 'decision' ->> 'at' HAVING count(*) > 1`;
  expect([duplicateCycles.length, duplicateAssessments.length]).toEqual([0, 0]);

  const crossTalk = await db.sql`SELECT cluster FROM decisions
    WHERE decision_json::jsonb ->> 'cluster' <> cluster`;
  expect(crossTalk.length).toBe(0);
  const qualities = await db.sql`SELECT cluster, array_agg(DISTINCT data_quality ORDER BY data_quality) AS q
    FROM decisions GROUP BY cluster ORDER BY cluster`;
  const byCluster = Object.fromEntries(qualities.map((row) => [String(row['cluster']), row['q']]));
  expect(byCluster['dead']).toEqual(['blind']);
  // The live cluster may start blind (Prometheus needs two scrapes for a rate); its latest cycles see data.
  const latestLive = await db.sql`SELECT data_quality FROM decisions WHERE cluster = 'live' ORDER BY at DESC LIMIT 3`;
  expect(latestLive.map((row) => row['data_quality'])).not.toContain('blind');

  const [live, dead] = await Promise.all([
    queryObserver({ client: temporal.client, cluster: 'live' }),
    queryObserver({ client: temporal.client, cluster: 'dead' }),
  ]);
  expect([live.decision?.cluster, dead.decision?.cluster, dead.engineState.health_state]).toEqual([
    'live',
    'dead',
    'unknown',
  ]);
  expect(live.decision?.data_quality).not.toBe('blind');

  const listed = await waitFor({
    what: 'visibility to list both observers',
    check: async () => {
      const ids = (await listCopilotWorkflows(temporal.client)).map((w) => w.workflowId);
      return ids.includes('copilot-observe-live') && ids.includes('copilot-observe-dead') ? ids : null;
    },
  });
  expect(listed).toEqual(
    expect.arrayContaining(['copilot-observe-live', 'copilot-observe-dead', 'copilot-scheduled-live']),
  );

  if (process.env['RECORD_HISTORIES'] === '1') {
    const history = await server.cli(['workflow', 'show', '--workflow-id', 'copilot-observe-live', '--output', 'json']);
    writeFileSync(join(import.meta.dir, 'histories', 'observe-live.json'), history);
    const child = (await assessmentIds('live'))[0];
    if (child !== undefined) {
      const childHistory = await server.cli(['workflow', 'show', '--workflow-id', child, '--output', 'json']);
      writeFileSync(join(import.meta.dir, 'histories', 'assess-live.json'), childHistory);
    }
  }
  expect(await second.stop()).toBe(0);
});

async function assessmentIds(cluster: string): Promise<string[]> {
  const rows = await db.sql`SELECT id FROM assessments WHERE cluster = ${cluster} ORDER BY at`;
  return rows.map((row) => String(row['id']));
}
