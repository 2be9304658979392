import { describe, expect, test } from 'bun:test';
import { type } from 'arktype';
import fc from 'fast-check';
import {
  AppError,
  Assessment,
  ClusterConfig,
  ClusterConfigList,
  Decision,
  Issue,
  LogPattern,
  parseJsonText,
  parseOrThrow,
  SignalsSnapshot,
  SuggestedAction,
} from '../../src/models/index.ts';
import { assessmentAround, clusterConfig, issue, logPattern, signalsSnapshot, suggestedAction } from './arbitraries.ts';

const NUM_RUNS = 300;

const sampleDecision: Decision = parseOrThrow(
  Decision,
  {
    at: '2026-11-27T12:00:00.000Z',
    cluster: 'prod',
    health_state: 'stressed',
    previous_state: 'happy',
    scale_band: 'starter',
    consecutive_critical: 1,
    idle: false,
    system_busy: false,
    firing: [
      {
        rule_id: 'critical.persistence_errors',
        signal: 'primary.persistence.error_rate_per_sec',
        value: 80,
        threshold: 50,
        comparison: 'above',
        level: 'critical',
        suppressed: false,
      },
    ],
    nearest_escalation: null,
    data_quality: 'complete',
    unevaluated_rules: [],
    services: [{ name: 'persistence', status: 'stressed', reasons: ['critical.persistence_errors'] }],
    bottleneck: { classification: 'server_limited', server_reasons: ['persistence'], worker_reasons: [] },
    worker_advisories: [],
    fingerprint: 'abc123',
    rule_version: '2026.11.1',
  },
  'decision',
);

/** JSON round trip through the schema: what we store or send must read back identical. */
function roundTrips<T>(schema: (data: unknown) => T | type.errors, arbitrary: fc.Arbitrary<T>): void {
  fc.assert(
    fc.property(arbitrary, (value) => {
      expect(schema(value)).toEqual(value);
      expect(parseOrThrow(schema, JSON.parse(JSON.stringify(value)), 'value')).toEqual(value);
    }),
    { numRuns: NUM_RUNS },
  );
}

/** Arbitrary `unknown` input yields data or `type.errors`, never a throw. */
function neverThrows(schema: (data: unknown) => unknown): void {
  fc.assert(
    fc.property(fc.anything(), (value) => {
      schema(value);
    }),
    { numRuns: NUM_RUNS },
  );
}

describe('round trips', () => {
  test('signals snapshot', () => roundTrips(SignalsSnapshot, signalsSnapshot));
  test('suggested action', () => roundTrips(SuggestedAction, suggestedAction));
  test('issue', () => roundTrips(Issue, issue));
  test('log pattern', () => roundTrips(LogPattern, logPattern));
  test('cluster config', () => roundTrips(ClusterConfig, clusterConfig));
  test('assessment', () => roundTrips(Assessment, assessmentAround(sampleDecision)));
});

describe('arbitrary input never throws', () => {
  test.each([
    ['signals snapshot', SignalsSnapshot],
    ['assessment', Assessment],
    ['cluster config', ClusterConfig],
    ['cluster list', ClusterConfigList],
  ] as const)('%s', (_name, schema) => neverThrows(schema));
});

describe('invalid input names the field', () => {
  test.each([
    ['negative rate', ['primary', 'history', 'backlog_age_sec'], -1, 'primary.history.backlog_age_sec'],
    ['ratio above one', ['primary', 'poller', 'poll_timeout_rate'], 1.5, 'primary.poller.poll_timeout_rate'],
    ['string instead of number', ['primary', 'frontend', 'latency_p99_ms'], '12', 'primary.frontend.latency_p99_ms'],
    ['bad metric style', ['metric_style'], 'prom', 'metric_style'],
    ['bad timestamp', ['at'], '2026-13-01', 'at'],
    [
      'percent above 100',
      ['amplifiers', 'connection_pool', 'utilization_pct'],
      101,
      'amplifiers.connection_pool.utilization_pct',
    ],
  ] as const)('%s', (_name, path, badValue, expectedPath) => {
    const snapshot = fc.sample(signalsSnapshot, { numRuns: 1, seed: 42 })[0];
    const mutated: unknown = setPath(structuredClone(snapshot), path, badValue);
    let caught: unknown;
    try {
      parseOrThrow(SignalsSnapshot, mutated, 'signals snapshot');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const appError = caught as AppError;
    expect(appError.code).toBe('INVALID_INPUT');
    expect(Object.keys(appError.problems ?? {})).toContain(expectedPath);
    expect(appError.message).toContain(expectedPath);
  });

  test('NaN and Infinity are not measurements', () => {
    const snapshot = fc.sample(signalsSnapshot, { numRuns: 1, seed: 7 })[0];
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const mutated = setPath(structuredClone(snapshot), ['primary', 'history', 'backlog_age_sec'], bad);
      expect(SignalsSnapshot(mutated)).toBeInstanceOf(type.errors);
    }
  });

  test('cluster names must be unique', () => {
    const cluster = { name: 'prod', prometheus_url: 'http://127.0.0.1:9090' };
    expect(ClusterConfigList([cluster, cluster])).toBeInstanceOf(type.errors);
    expect(ClusterConfigList([cluster])).toEqual([cluster]);
  });

  test('cluster config rejects unknown keys', () => {
    const out = ClusterConfig({ name: 'prod', prometheus_url: 'http://127.0.0.1:9090', promethus_url: 'x' });
    expect(out).toBeInstanceOf(type.errors);
  });

  test('bad JSON text is an INVALID_INPUT error, not a SyntaxError', () => {
    expect(() => parseJsonText('{"a":', 'snapshot')).toThrow(AppError);
    expect(parseJsonText('{"a":1}', 'snapshot')).toEqual({ a: 1 });
  });
});

function setPath(target: unknown, path: readonly string[], value: unknown): unknown {
  let node: unknown = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) throw new Error(`no object at ${key}`);
    node = (node as Record<string, unknown>)[key];
  }
  const last = path.at(-1);
  if (typeof node !== 'object' || node === null || last === undefined) throw new Error('bad path');
  (node as Record<string, unknown>)[last] = value;
  return target;
}
