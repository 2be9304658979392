import { afterAll, expect, test } from 'bun:test';
import { writeCycle } from '../../src/db/index.ts';
import { openPostgres } from '../db/backends.ts';
import { promtoolCheckMetrics as promtoolCheck } from '../support/promtool.ts';
import { call, firingCycle, seedTwoClusters, T0, testApi } from './helpers.ts';

const db = await openPostgres();
await seedTwoClusters(db.sql);
afterAll(() => db.close());

test('/metrics: per-cluster state gauges, cycle age, request counts, store errors; promtool accepts it', async () => {
  const api = testApi(db.sql, { configuredClusters: ['gamma'], now: () => T0 + 15_000 });
  await api.refresh();
  await call(api, '/status?cluster=alpha');
  await call(api, '/status?cluster=alpha');
  await call(api, '/nope');
  const reply = await call(api, '/metrics');
  expect(reply.status).toBe(200);
  expect(reply.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const lines = reply.text.split('\n');
  for (const line of [
    'copilot_health_state{cluster="alpha",state="critical"} 1',
    'copilot_health_state{cluster="alpha",state="happy"} 0',
    'copilot_health_state{cluster="gamma",state="unknown"} 1',
    'copilot_health_state_code{cluster="alpha"} 2',
    'copilot_health_state_code{cluster="beta"} 0',
    'copilot_health_state_code{cluster="gamma"} -1',
    'copilot_last_cycle_age_seconds{cluster="alpha"} 45.000',
    'copilot_last_cycle_age_seconds{cluster="beta"} 25.000',
    'copilot_active_issues{cluster="alpha"} 1',
    'copilot_store_up 1',
    'copilot_store_errors_total 0',
    'copilot_api_requests_total{route="/status",method="GET",status="200"} 2',
    'copilot_api_requests_total{route="unmatched",method="GET",status="404"} 1',
  ]) {
    expect(lines).toContain(line);
  }
  // No cycle yet: the age series is absent rather than a made-up zero.
  expect(reply.text).not.toContain('copilot_last_cycle_age_seconds{cluster="gamma"}');
  expect(await promtoolCheck(reply.text)).toEqual({ code: 0, output: '' });
});

test('label values are escaped', async () => {
  const odd = 'we"ird\\name';
  await writeCycle(db.sql, firingCycle({ cluster: odd, atMs: T0, state: 'happy' }));
  const api = testApi(db.sql);
  await api.refresh();
  const text = (await call(api, '/metrics')).text;
  expect(text).toContain('copilot_health_state_code{cluster="we\\"ird\\\\name"} 0');
  expect((await promtoolCheck(text)).code).toBe(0);
});
