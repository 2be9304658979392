import { afterAll, describe, expect, test } from 'bun:test';
import { writeCycle } from '../../src/db/index.ts';
import {
  AssessmentResponse,
  ClustersResponse,
  IssuesResponse,
  ReadyzResponse,
  ServicesResponse,
  SignalsResponse,
  StatusResponse,
  SummaryResponse,
} from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import {
  apiError,
  BACKLOG_RULE,
  call,
  firingCycle,
  notImplemented,
  seedTwoClusters,
  shape,
  T0,
  testApi,
} from './helpers.ts';

// Opened at module scope, like test/db: one fresh schema per file, dropped at the end.
const seeded = await openPostgres();
const empty = await openPostgres();
const { assessmentId } = await seedTwoClusters(seeded.sql);
afterAll(async () => {
  await seeded.close();
  await empty.close();
});

const api = testApi(seeded.sql, { configuredClusters: ['gamma'] });
await api.refresh();

describe('several clusters', () => {
  test('/status of a critical cluster: state, firing, classified signals, assessment, patterns', async () => {
    const reply = await call(api, '/status?cluster=alpha');
    expect(reply.status).toBe(200);
    const status = shape(StatusResponse, reply.body);
    expect(status).toMatchObject({
      cluster: 'alpha',
      health_state: 'critical',
      decided_state: 'critical',
      stale: false,
      stale_reason: null,
      as_of: new Date(T0 - 30_000).toISOString(),
      fresh_until: new Date(T0 + 90_000).toISOString(),
      data_quality: 'partial',
      scale_band: 'mid-scale',
      issue_count: 1,
    });
    expect(status.firing.map((f) => f.rule_id)).toEqual([BACKLOG_RULE]);
    const backlog = status.signals.primary.find((row) => row.signal === 'primary.history.backlog_age_sec');
    expect(backlog).toMatchObject({ classification: 'critical', threshold: 120, unit: 'sec', rule_id: BACKLOG_RULE });
    const missing = status.signals.primary.find((row) => row.signal === 'primary.frontend.long_poll_latency_p99_ms');
    expect(missing).toMatchObject({ classification: 'no_data', value: null, missing_reason: 'no_series' });
    expect(status.signals.amplifier.length).toBeGreaterThan(0);
    expect(status.assessment).toMatchObject({ id: assessmentId, explainer: 'rules', matches_current_state: true });
    expect(status.assessment?.issues.map((i) => i.rule_id)).toEqual([BACKLOG_RULE]);
    expect(status.recommended_actions).toHaveLength(1);
    expect(status.log_patterns.map((p) => p.signature_id)).toEqual(['shard-ownership-lost']);
    expect(status.primary_signals?.history.backlog_age_sec).toBe(2);
  });

  test('/status of a happy cluster without an assessment', async () => {
    const status = shape(StatusResponse, (await call(api, '/status?cluster=beta')).body);
    expect(status).toMatchObject({ cluster: 'beta', health_state: 'happy', assessment: null, issue_count: 0 });
    expect(status.recommended_actions).toEqual([]);
  });

  test('no cluster parameter: the first configured cluster, unknown before its first cycle', async () => {
    const reply = await call(api, '/status');
    expect(reply.status).toBe(200);
    expect(shape(StatusResponse, reply.body)).toMatchObject({
      cluster: 'gamma',
      health_state: 'unknown',
      stale: true,
      stale_reason: 'no_cycle',
      as_of: null,
    });
  });

  test('no configured clusters: the first stored one by name', async () => {
    const plain = testApi(seeded.sql);
    await plain.refresh();
    expect(shape(StatusResponse, (await call(plain, '/status')).body).cluster).toBe('alpha');
  });

  test('an unknown cluster is a 404 naming the known ones', async () => {
    const reply = await call(api, '/status/summary?cluster=nope');
    expect(reply.status).toBe(404);
    expect(apiError(reply.body).error).toMatchObject({ code: 'NOT_FOUND' });
    expect(apiError(reply.body).error.message).toContain('alpha');
  });

  test('/status/services, /status/issues, /status/summary, /status/signals', async () => {
    const services = shape(ServicesResponse, (await call(api, '/status/services?cluster=alpha')).body);
    expect(services.services).toEqual([{ name: 'history', status: 'critical', reasons: [BACKLOG_RULE] }]);
    const issues = shape(IssuesResponse, (await call(api, '/status/issues?cluster=alpha&severity=critical')).body);
    expect(issues.issues.map((i) => [i.rule_id, i.resolved_at])).toEqual([[BACKLOG_RULE, null]]);
    const warnings = shape(IssuesResponse, (await call(api, '/status/issues?cluster=alpha&severity=warning')).body);
    expect(warnings.issues).toEqual([]);
    const summary = shape(SummaryResponse, (await call(api, '/status/summary?cluster=alpha')).body);
    expect(summary).toMatchObject({ source: 'assessment', summary: 'cluster is critical', explainer: 'rules' });
    const ruleSummary = shape(SummaryResponse, (await call(api, '/status/summary?cluster=beta')).body);
    expect(ruleSummary).toMatchObject({ source: 'rules', health_state: 'happy', explainer: null });
    const signals = shape(SignalsResponse, (await call(api, '/status/signals?cluster=alpha&tier=worker')).body);
    expect(signals.signals.length).toBe(11);
    expect(new Set(signals.signals.map((s) => s.tier))).toEqual(new Set(['worker']));
    const critical = shape(
      SignalsResponse,
      (await call(api, '/status/signals?cluster=alpha&classification=critical')).body,
    );
    expect(critical.signals.map((s) => s.signal)).toEqual(['primary.history.backlog_age_sec']);
  });

  test('/clusters lists configured and stored clusters, configured first', async () => {
    const body = shape(ClustersResponse, (await call(api, '/clusters')).body);
    expect(body.default_cluster).toBe('gamma');
    expect(body.clusters.map((c) => [c.name, c.configured, c.health_state, c.stale])).toEqual([
      ['gamma', true, 'unknown', true],
      ['alpha', false, 'critical', false],
      ['beta', false, 'happy', false],
    ]);
  });

  test('/assessments/:id returns the assessment with its issue and action rows; unknown id is 404', async () => {
    const body = shape(AssessmentResponse, (await call(api, `/assessments/${assessmentId}`)).body);
    expect(body.id).toBe(assessmentId);
    expect(body.issues).toHaveLength(1);
    expect(body.actions).toHaveLength(3);
    const missing = await call(api, '/assessments/nope');
    expect(missing.status).toBe(404);
    apiError(missing.body);
  });

  test('POST /actions is 501 and says what it would accept', async () => {
    const reply = await call(api, '/actions', { method: 'POST', body: '{"assessment_id":"x"}' });
    expect(reply.status).toBe(501);
    expect(notImplemented(reply.body).would_accept.method).toBe('POST');
  });

  test('/healthz is ok; /readyz is 503 while a configured cluster has no cycle', async () => {
    expect((await call(api, '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await call(api, '/readyz');
    expect(ready.status).toBe(503);
    const body = shape(ReadyzResponse, ready.body);
    expect(body).toMatchObject({ ready: false, store: { reachable: true } });
    expect(body.reasons).toEqual(['cluster gamma: no observation cycle stored recently']);
    const plain = testApi(seeded.sql);
    await plain.refresh();
    expect(shape(ReadyzResponse, (await call(plain, '/readyz')).body).ready).toBe(true);
  });

  test('an old cycle is stale and shown as unknown, with the decided state kept', async () => {
    const later = testApi(seeded.sql, { now: () => T0 + 20 * 60_000 });
    await later.refresh();
    const status = shape(StatusResponse, (await call(later, '/status?cluster=alpha')).body);
    expect(status).toMatchObject({
      health_state: 'unknown',
      decided_state: 'critical',
      stale: true,
      stale_reason: 'no_recent_cycle',
    });
    // The log pattern's window ended more than 15 minutes before "now".
    expect(status.log_patterns).toEqual([]);
  });

  test('a new cycle is visible after the next poll', async () => {
    const own = testApi(seeded.sql);
    await own.refresh();
    await writeCycle(seeded.sql, firingCycle({ cluster: 'beta', atMs: T0 - 5_000, state: 'stressed' }));
    await own.refresh();
    expect(shape(StatusResponse, (await call(own, '/status?cluster=beta')).body).health_state).toBe('stressed');
  });
});

describe('no clusters at all', () => {
  const none = testApi(empty.sql);

  test('every /status route answers unknown for no cluster, not an error', async () => {
    await none.refresh();
    const status = shape(StatusResponse, (await call(none, '/status')).body);
    expect(status).toMatchObject({ cluster: null, health_state: 'unknown', stale: true, stale_reason: 'no_cycle' });
    expect(shape(ServicesResponse, (await call(none, '/status/services')).body).services).toEqual([]);
    expect(shape(IssuesResponse, (await call(none, '/status/issues')).body).issues).toEqual([]);
    expect(shape(SignalsResponse, (await call(none, '/status/signals')).body).signals).toEqual([]);
    const summary = shape(SummaryResponse, (await call(none, '/status/summary')).body);
    expect(summary.summary).toBe('No cluster has been observed yet.');
    expect(shape(ClustersResponse, (await call(none, '/clusters')).body)).toEqual({
      default_cluster: null,
      clusters: [],
      store_reachable: true,
    });
    expect((await call(none, '/status?cluster=alpha')).status).toBe(404);
    const ready = shape(ReadyzResponse, (await call(none, '/readyz')).body);
    expect(ready.reasons).toEqual(['no cluster has written an observation cycle yet']);
  });

  test('before the first poll, /status says the store has not answered', async () => {
    const fresh = testApi(empty.sql);
    const reply = await call(fresh, '/status');
    expect(reply.status).toBe(503);
    expect(apiError(reply.body).error.code).toBe('STORE_UNAVAILABLE');
  });
});
