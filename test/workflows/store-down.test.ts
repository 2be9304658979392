import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { freePort } from '../../src/demo/local-prometheus.ts';
import type { TestDb } from '../db/backends.ts';
import { openPostgres } from '../db/backends.ts';
import { waitFor } from '../support/temporal.ts';
import type { TemporalDevServer } from '../support/temporal-dev-server.ts';
import { startTemporalDevServer } from '../support/temporal-dev-server.ts';
import type { WorkerProcess } from '../support/worker-process.ts';
import { startWorkerProcess } from '../support/worker-process.ts';
import type { TcpProxy } from './tcp-proxy.ts';
import { startTcpProxy } from './tcp-proxy.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file starts real servers.
setDefaultTimeout(600_000);

/**
 * The store goes away under a running worker (every connection reset, new ones refused) and comes back: the cycle
 * being written retries and lands once the store returns, nothing is written twice, and the loop goes on.
 */

const OBSERVE_INTERVAL_SEC = 5;

let server: TemporalDevServer;
let db: TestDb;
let proxy: TcpProxy;
let worker: WorkerProcess;

async function cycleRows(): Promise<{ atMs: number; createdMs: number }[]> {
  const rows = await db.sql`SELECT at, created_at FROM decisions WHERE cluster = 'outage' ORDER BY at`;
  return rows.map((row) => ({
    atMs: new Date(String(row['at'])).getTime(),
    createdMs: new Date(String(row['created_at'])).getTime(),
  }));
}

beforeAll(async () => {
  [server, db] = await Promise.all([startTemporalDevServer(), openPostgres()]);
  const target = new URL(db.url);
  proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
  target.port = String(proxy.port);
  worker = await startWorkerProcess({
    DATABASE_URL: target.toString(),
    TEMPORAL_ADDRESS: server.address,
    COPILOT_TASK_QUEUE: 'copilot-store-down',
    COPILOT_OBSERVE_INTERVAL_SEC: String(OBSERVE_INTERVAL_SEC),
    COPILOT_CLUSTERS: JSON.stringify([{ name: 'outage', prometheus_url: `http://127.0.0.1:${await freePort()}` }]),
  });
});

afterAll(async () => {
  await worker?.kill();
  await proxy?.[Symbol.asyncDispose]();
  await server?.stop();
  await db?.close();
});

test('store down: the cycle write retries until the store returns, then the loop goes on', async () => {
  await waitFor({ what: 'two stored cycles', check: async () => (await cycleRows()).length >= 2 });
  const beforeOutage = (await cycleRows()).length;
  const downAtMs = Date.now();
  proxy.down();
  // Down until the worker has retried through the outage several times (each retry is a refused connection).
  await waitFor({ what: 'retries against the downed store', check: async () => proxy.refused() >= 4 });
  // And for three observe intervals: the refusals can come within a second (a pool reconnecting), and a store back
  // before the next cycle was decided left no cycle to hold over (seen once in CI).
  await Bun.sleep(Math.max(0, downAtMs + 3 * OBSERVE_INTERVAL_SEC * 1000 - Date.now()));
  const upAtMs = Date.now();
  proxy.up();

  const rows = await waitFor({
    what: 'two cycles after the store returned',
    check: async () => {
      const all = await cycleRows();
      return all.filter((row) => row.createdMs >= upAtMs).length >= 2 ? all : null;
    },
  });
  // The cycle decided while the store was down was written after it came back, not lost.
  const heldOver = rows.filter((row) => row.atMs >= downAtMs - 5_000 && row.atMs < upAtMs && row.createdMs >= upAtMs);
  expect(heldOver.length).toBeGreaterThanOrEqual(1);
  expect(rows.length).toBeGreaterThan(beforeOutage + 1);
  const duplicates = await db.sql`SELECT cycle_key FROM decisions GROUP BY cycle_key HAVING count(*) > 1`;
  expect(duplicates.length).toBe(0);
  expect(await worker.stop()).toBe(0);
});
