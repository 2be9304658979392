import { describe, expect, test } from 'bun:test';
import { buildSignalQueries } from '../../src/signals/catalog.ts';
import type { QueryOutcome } from '../../src/signals/snapshot.ts';
import { assembleSnapshot } from '../../src/signals/snapshot.ts';

const queries = buildSignalQueries({ style: 'otel', matchers: [] });

function inputsOf(id: string): Record<string, string> {
  return queries.find((q) => q.id === id)?.inputs ?? {};
}

function snapshotWith(set: Record<string, QueryOutcome>) {
  const outcomes = new Map<string, QueryOutcome>();
  for (const q of queries) for (const promql of Object.values(q.inputs)) outcomes.set(promql, { kind: 'no_series' });
  for (const [promql, outcome] of Object.entries(set)) outcomes.set(promql, outcome);
  return assembleSnapshot({ cluster: 'c', atMs: Date.UTC(2025, 0, 1), style: 'otel', queries, outcomes });
}

function missingOf(snapshot: ReturnType<typeof snapshotWith>, id: string) {
  return snapshot.missing.find((m) => m.signal === id);
}

const completion = inputsOf('primary.workflow_completion.completion_rate');
const poll = inputsOf('primary.poller.poll_timeout_rate');
const value = (v: number): QueryOutcome => ({ kind: 'value', value: v });

describe('assembling a snapshot', () => {
  test('completion is 1.0 when both rates are 0 and both series exist', () => {
    const s = snapshotWith({
      [completion['success'] ?? '']: value(0),
      [completion['workflow_failed'] ?? '']: value(0),
    });
    expect(s.primary.workflow_completion.completion_rate).toBe(1);
    expect(s.at).toBe('2025-01-01T00:00:00.000Z');
  });

  test('completion is null when no failure counter exists', () => {
    const s = snapshotWith({ [completion['success'] ?? '']: value(3) });
    expect(s.primary.workflow_completion.completion_rate).toBeNull();
    expect(missingOf(s, 'primary.workflow_completion.completion_rate')?.reason).toBe('no_series');
  });

  test('poller ratios are null (low_volume) below the floor instead of the +0.001 hack', () => {
    const s = snapshotWith({ [poll['part'] ?? '']: value(0.001), [poll['other'] ?? '']: value(0.002) });
    expect(s.primary.poller.poll_timeout_rate).toBeNull();
    expect(missingOf(s, 'primary.poller.poll_timeout_rate')?.reason).toBe('low_volume');
    const busy = snapshotWith({ [poll['part'] ?? '']: value(3), [poll['other'] ?? '']: value(1) });
    expect(busy.primary.poller.poll_timeout_rate).toBe(0.75);
    expect(busy.primary.poller.poll_success_rate).toBe(0.25);
  });

  test('NaN is low_volume, a failure keeps its code, absence is no_series', () => {
    const p99 = inputsOf('primary.persistence.latency_p99_ms')['value'] ?? '';
    const errors = inputsOf('primary.persistence.error_rate_per_sec')['value'] ?? '';
    const s = snapshotWith({ [p99]: value(Number.NaN), [errors]: { kind: 'failed', code: 'UPSTREAM_TIMEOUT' } });
    expect(missingOf(s, 'primary.persistence.latency_p99_ms')).toEqual({
      signal: 'primary.persistence.latency_p99_ms',
      reason: 'low_volume',
      detail: 'NaN: no observations in the window',
    });
    expect(missingOf(s, 'primary.persistence.error_rate_per_sec')).toEqual({
      signal: 'primary.persistence.error_rate_per_sec',
      reason: 'query_failed',
      detail: 'UPSTREAM_TIMEOUT',
    });
    expect(missingOf(s, 'primary.history.backlog_age_sec')?.reason).toBe('no_series');
    expect(s.primary.history.backlog_age_sec).toBeNull();
  });

  test('+Inf pool utilization (max_open 0) is null, an overshooting ratio is clamped', () => {
    const util = inputsOf('amplifiers.connection_pool.utilization_pct')['value'] ?? '';
    const cache = inputsOf('amplifiers.cache.hit_rate');
    const s = snapshotWith({
      [util]: value(Number.POSITIVE_INFINITY),
      [cache['requests'] ?? '']: value(10),
      [cache['misses'] ?? '']: value(10.5),
    });
    expect(s.amplifiers.connection_pool.utilization_pct).toBeNull();
    expect(s.amplifiers.cache.hit_rate).toBe(0);
  });
});

test('a failure counter that was never created does not null the sum of the ones that exist', () => {
  const failed = inputsOf('primary.workflow_completion.failed_per_sec');
  const s = snapshotWith({
    [failed['workflow_failed'] ?? '']: value(0.5),
    [completion['success'] ?? '']: value(1.5),
  });
  expect(s.primary.workflow_completion.failed_per_sec).toBe(0.5);
  expect(s.primary.workflow_completion.completion_rate).toBe(0.75);
});

test('matching backlog age: NaN with nothing waiting is 0, NaN with tasks waiting is null', () => {
  const age = inputsOf('primary.matching.workflow_backlog_age_sec');
  const quiet = snapshotWith({ [age['age'] ?? '']: value(Number.NaN), [age['waiting'] ?? '']: value(0) });
  expect(quiet.primary.matching.workflow_backlog_age_sec).toBe(0);
  const stuck = snapshotWith({ [age['age'] ?? '']: value(Number.NaN), [age['waiting'] ?? '']: value(40) });
  expect(stuck.primary.matching.workflow_backlog_age_sec).toBeNull();
  expect(missingOf(stuck, 'primary.matching.workflow_backlog_age_sec')?.reason).toBe('low_volume');
});

test('matching backlog age without any asyncmatch series: 0 only when the gauge says nothing waits', () => {
  const age = inputsOf('primary.matching.activity_backlog_age_sec');
  const quiet = snapshotWith({ [age['waiting'] ?? '']: value(0) });
  expect(quiet.primary.matching.activity_backlog_age_sec).toBe(0);
  const waiting = snapshotWith({ [age['waiting'] ?? '']: value(7) });
  expect(waiting.primary.matching.activity_backlog_age_sec).toBeNull();
  expect(missingOf(waiting, 'primary.matching.activity_backlog_age_sec')?.reason).toBe('low_volume');
  const blind = snapshotWith({});
  expect(blind.primary.matching.activity_backlog_age_sec).toBeNull();
  expect(missingOf(blind, 'primary.matching.activity_backlog_age_sec')?.reason).toBe('no_series');
});
