import { afterAll, expect, test } from 'bun:test';
import { writeCycle } from '../../src/db/index.ts';
import { ReadyzResponse, StatusResponse, SummaryResponse } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { apiError, call, firingCycle, seedTwoClusters, shape, T0, testApi } from './helpers.ts';
import { sqlThroughProxy, startProxy } from './proxy.ts';

const db = await openPostgres();
await seedTwoClusters(db.sql);
const direct = new URL(db.url);
const proxy = await startProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
// The API's own pool goes through the proxy; seeding and the "worker" writes below go straight to Postgres.
const viaProxy = sqlThroughProxy(db.url, proxy.port);
afterAll(async () => {
  await viaProxy.end({ timeout: 1 });
  await proxy[Symbol.asyncDispose]();
  await db.close();
});

test('store down: 503 with the last known status marked stale; back up: recovers without a restart', async () => {
  const api = testApi(viaProxy);
  await api.refresh();
  const before = await call(api, '/status?cluster=alpha');
  expect(before.status).toBe(200);
  expect(shape(StatusResponse, before.body).health_state).toBe('critical');

  proxy.break();
  await api.refresh();
  const down = await call(api, '/status?cluster=alpha');
  expect(down.status).toBe(503);
  expect(down.headers.get('etag')).toBeNull();
  expect(shape(StatusResponse, down.body)).toMatchObject({
    cluster: 'alpha',
    health_state: 'critical',
    stale: true,
    stale_reason: 'store_unavailable',
  });
  const timeline = await call(api, '/status/timeline?cluster=alpha');
  expect(timeline.status).toBe(503);
  expect(apiError(timeline.body).error).toEqual({
    code: 'STORE_UNAVAILABLE',
    message: 'the state store is unavailable',
  });
  const ready = await call(api, '/readyz');
  expect(ready.status).toBe(503);
  expect(shape(ReadyzResponse, ready.body).store.reachable).toBe(false);
  const metrics = await call(api, '/metrics');
  expect(metrics.text).toContain('copilot_store_up 0');
  expect(metrics.text).toMatch(/copilot_store_errors_total [1-9]/);

  // The worker keeps writing while the API cannot see the store.
  await writeCycle(db.sql, firingCycle({ cluster: 'alpha', atMs: T0 - 1_000, state: 'happy' }));
  proxy.heal();
  await api.refresh();
  const after = await call(api, '/status?cluster=alpha');
  expect(after.status).toBe(200);
  expect(shape(StatusResponse, after.body)).toMatchObject({ health_state: 'happy', stale: false, stale_reason: null });
  expect((await call(api, '/status/timeline?cluster=alpha')).status).toBe(200);
});

test('store down past staleAfterMs: /status turns unknown like /status/summary, not the cached body', async () => {
  await writeCycle(db.sql, firingCycle({ cluster: 'gamma', atMs: T0 - 1_000, state: 'stressed' }));
  let nowMs = T0;
  const api = testApi(viaProxy, { now: () => nowMs });
  await api.refresh();
  expect(shape(StatusResponse, (await call(api, '/status?cluster=gamma')).body).health_state).toBe('stressed');

  proxy.break();
  try {
    await api.refresh();
    // Served (and memoized) while the cycle is still within staleAfterMs.
    const early = await call(api, '/status?cluster=gamma');
    expect(early.status).toBe(503);
    expect(shape(StatusResponse, early.body).health_state).toBe('stressed');

    nowMs = T0 + 120_000;
    await api.refresh();
    const late = await call(api, '/status?cluster=gamma');
    expect(late.status).toBe(503);
    expect(shape(StatusResponse, late.body)).toMatchObject({
      health_state: 'unknown',
      decided_state: 'stressed',
      stale: true,
      stale_reason: 'store_unavailable',
    });
    const summary = await call(api, '/status/summary?cluster=gamma');
    expect(shape(SummaryResponse, summary.body).health_state).toBe('unknown');
  } finally {
    proxy.heal();
  }
});
