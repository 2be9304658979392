import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ApplicationFailure } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { dispositionOf, toActivityFailure } from '../../src/activities/failures.ts';
import { createActivities } from '../../src/activities/index.ts';
import { createLokiClient } from '../../src/clients/loki.ts';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import { freePort } from '../../src/demo/local-prometheus.ts';
import type { ErrorCode } from '../../src/models/index.ts';
import {
  AppError,
  PERMANENT_ERROR_CODES,
  PurgeReport,
  parseOrThrow,
  SignalsSnapshot,
  StoredCycle,
} from '../../src/models/index.ts';
import type { TestDb } from '../db/backends.ts';
import { openPostgres } from '../db/backends.ts';
import { decision, engineState, snapshot } from '../db/fixtures.ts';

/** Activities under MockActivityEnvironment with the real store and a Prometheus that is not there. */

let db: TestDb;
let activities: ReturnType<typeof createActivities>;
const env = new MockActivityEnvironment();

beforeAll(async () => {
  db = await openPostgres();
  const deadUrl = `http://127.0.0.1:${await freePort()}`;
  activities = createActivities({
    sql: db.sql,
    prometheusFor: () => createPrometheusClient({ baseUrl: deadUrl, maxAttempts: 1 }),
    lokiFor: () => null,
    clock: () => 1_000,
  });
});

afterAll(async () => {
  await db?.close();
});

const ALL_CODES: ErrorCode[] = [
  'INVALID_INPUT',
  'CONFIG_INVALID',
  'NOT_FOUND',
  'CANCELLED',
  'UPSTREAM_UNREACHABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_THROTTLED',
  'UPSTREAM_STATUS',
  'UPSTREAM_BAD_BODY',
  'UPSTREAM_QUERY_ERROR',
  'AUTH_FAILED',
  'CREDENTIALS_UNAVAILABLE',
  'STORE_UNAVAILABLE',
  'STORE_CONFLICT',
  'STORE_LIMIT',
  'STORE_SCHEMA',
];

describe('error edge', () => {
  test.each(ALL_CODES)('%s: non-retryable exactly when permanent, typed with the code', (code) => {
    const failure = toActivityFailure(new AppError(code, `boom ${code}`));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    if (!(failure instanceof ApplicationFailure)) return;
    // STORE_LIMIT is documented as permanent (docs/errors.md) though PERMANENT_ERROR_CODES omits it.
    const permanent = PERMANENT_ERROR_CODES.has(code) || code === 'STORE_LIMIT';
    expect([failure.type, failure.nonRetryable, dispositionOf(code) === 'permanent']).toEqual([
      code,
      permanent,
      permanent,
    ]);
  });

  test('errors that are not ours pass through unchanged (retried by policy)', () => {
    const error = new Error('driver exploded');
    expect(toActivityFailure(error)).toBe(error);
  });
});

describe('activities', () => {
  test('fetchSignals with Prometheus down returns an all-null snapshot instead of throwing', async () => {
    const cluster = { name: 'gone', prometheus_url: 'http://127.0.0.1:1' };
    const result = parseOrThrow(
      SignalsSnapshot,
      await env.run(activities.fetchSignals, { cluster, atMs: Date.UTC(2026, 10, 27) }),
      'snapshot',
    );
    expect(result.primary.state_transitions.throughput_per_sec).toBeNull();
    expect(result.missing.length).toBeGreaterThan(0);
    const reasons = new Set(result.missing.map((missing) => missing.reason));
    expect([reasons.has('query_failed'), reasons.has('no_series')]).toEqual([true, false]);
  });

  test('writeCycle is idempotent by cycleKey; invalid input fails non-retryable with INVALID_INPUT', async () => {
    const atMs = Date.UTC(2024, 0, 15, 12);
    const input = {
      cluster: 'c1',
      cycleKey: `c1:${atMs}`,
      snapshot: snapshot({ cluster: 'c1', atMs }),
      decision: decision({ cluster: 'c1', atMs }),
      engineState: engineState(),
    };
    expect(await env.run(activities.writeCycle, input)).toEqual({ inserted: true });
    expect(await env.run(activities.writeCycle, input)).toEqual({ inserted: false });
    const latest = parseOrThrow(
      StoredCycle.or('null'),
      await env.run(activities.latestCycle, { cluster: 'c1' }),
      'cycle',
    );
    expect(latest?.decision.cluster).toBe('c1');
    const failure = await env
      .run(activities.writeCycle, { ...input, cluster: 'other' })
      .catch((error: unknown) => error);
    expect(failure instanceof ApplicationFailure ? [failure.type, failure.nonRetryable] : failure).toEqual([
      'INVALID_INPUT',
      true,
    ]);
  });

  test('purgeExpired deletes rows older than the cutoff and keeps newer ones', async () => {
    const write = (atMs: number) =>
      env.run(activities.writeCycle, {
        cluster: 'aged',
        cycleKey: `aged:${atMs}`,
        snapshot: snapshot({ cluster: 'aged', atMs }),
        decision: decision({ cluster: 'aged', atMs }),
        engineState: engineState(),
      });
    const oldMs = Date.UTC(2020, 0, 1);
    const newMs = Date.UTC(2026, 0, 1);
    await write(oldMs);
    await write(newMs);
    const report = parseOrThrow(
      PurgeReport,
      await env.run(activities.purgeExpired, { cutoffMs: Date.UTC(2025, 0, 1), batchSize: 1 }),
      'purge report',
    );
    const decisions = report.tables.find((t) => t.table === 'decisions');
    expect(decisions?.rows).toBeGreaterThanOrEqual(1);
    const left = await db.sql`SELECT count(*)::int AS n FROM decisions WHERE cluster = 'aged'`;
    expect(Number(left[0]?.['n'])).toBe(1);
    const latest = parseOrThrow(
      StoredCycle.or('null'),
      await env.run(activities.latestCycle, { cluster: 'aged' }),
      'cycle',
    );
    expect(latest?.decision.at).toBe(new Date(newMs).toISOString());
  });

  test('countLogPatterns for a cluster without Loki is a permanent CONFIG_INVALID', async () => {
    const cluster = { name: 'nologs', prometheus_url: 'http://127.0.0.1:1' };
    const failure = await env
      .run(activities.countLogPatterns, { cluster, startMs: 0, endMs: 1 })
      .catch((e: unknown) => e);
    expect(failure instanceof ApplicationFailure ? [failure.type, failure.nonRetryable] : failure).toEqual([
      'CONFIG_INVALID',
      true,
    ]);
  });
});

describe('deadlines under the activity timeout', () => {
  // Accepts every request and never answers: the slow upstream that used to outlast the activity's start-to-close.
  let hanging: ReturnType<typeof Bun.serve>;
  let slowActivities: ReturnType<typeof createActivities>;
  beforeAll(() => {
    hanging = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Promise<Response>(() => {}) });
    const url = `http://127.0.0.1:${hanging.port}`;
    slowActivities = createActivities({
      sql: db.sql,
      // Per-request deadlines far beyond the budgets: only the activity's own deadline can end these calls.
      prometheusFor: () => createPrometheusClient({ baseUrl: url, timeoutMs: 600_000, maxAttempts: 1 }),
      lokiFor: () => createLokiClient({ baseUrl: url, timeoutMs: 600_000, maxAttempts: 1 }),
      clock: () => 1_000,
      observeBudgetMs: 300,
      logPatternsBudgetMs: 300,
    });
  });
  afterAll(() => {
    hanging?.stop(true);
  });

  test('a Prometheus slower than the budget gives a blind snapshot (every measured signal query_failed)', async () => {
    const cluster = { name: 'slow', prometheus_url: 'http://127.0.0.1:1' };
    const result = parseOrThrow(
      SignalsSnapshot,
      await env.run(slowActivities.fetchSignals, { cluster, atMs: Date.UTC(2026, 10, 27) }),
      'snapshot',
    );
    expect(result.primary.state_transitions.throughput_per_sec).toBeNull();
    const measured = result.missing.filter((missing) => missing.reason !== 'not_measurable');
    expect(measured.length).toBeGreaterThan(20);
    expect([...new Set(measured.map((missing) => `${missing.reason}:${missing.detail}`))]).toEqual([
      'query_failed:UPSTREAM_TIMEOUT',
    ]);
  });

  test('a Loki slower than the budget fails retryably with UPSTREAM_TIMEOUT, inside start-to-close', async () => {
    const cluster = { name: 'slow', prometheus_url: 'http://127.0.0.1:1', loki_url: 'http://127.0.0.1:1' };
    const failure = await env
      .run(slowActivities.countLogPatterns, { cluster, startMs: 0, endMs: 60_000 })
      .catch((error: unknown) => error);
    expect(failure instanceof ApplicationFailure ? [failure.type, failure.nonRetryable] : failure).toEqual([
      'UPSTREAM_TIMEOUT',
      false,
    ]);
  });
});
