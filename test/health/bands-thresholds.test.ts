import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  BAND_PROFILES,
  classifyScaleBand,
  getThresholdProfile,
  SCALE_BANDS,
  validateOverrides,
} from '../../src/health/index.ts';
import { AppError, parseOrThrow, ThresholdOverrides, ThresholdProfile } from '../../src/models/index.ts';
import { overridesArb } from './arbitraries.ts';

describe('scale bands', () => {
  test.each([
    { tp: 49.99, previous: null, band: 'starter' },
    { tp: 50, previous: null, band: 'mid-scale' },
    { tp: 499.99, previous: null, band: 'mid-scale' },
    { tp: 500, previous: null, band: 'high-throughput' },
    { tp: 55, previous: 'starter', band: 'starter' },
    { tp: 55.00000000000001, previous: 'starter', band: 'mid-scale' },
    { tp: 45, previous: 'mid-scale', band: 'mid-scale' },
    { tp: 44.99, previous: 'mid-scale', band: 'starter' },
    { tp: 549.99, previous: 'mid-scale', band: 'mid-scale' },
    { tp: 550, previous: 'mid-scale', band: 'high-throughput' },
    { tp: 450, previous: 'high-throughput', band: 'high-throughput' },
    { tp: 449.99, previous: 'high-throughput', band: 'mid-scale' },
    { tp: 10_000, previous: 'starter', band: 'mid-scale' },
    { tp: 0, previous: 'high-throughput', band: 'mid-scale' },
    { tp: null, previous: 'high-throughput', band: 'high-throughput' },
    { tp: null, previous: null, band: 'starter' },
  ] as const)('tp $tp from $previous → $band', ({ tp, previous, band }) => {
    expect(classifyScaleBand({ throughputPerSec: tp, previous })).toBe(band);
  });
});

describe('threshold profiles', () => {
  test('band profiles match the reference §2.6 table', () => {
    const column = (pick: (band: (typeof BAND_PROFILES)['starter']) => number) =>
      SCALE_BANDS.map((band) => pick(BAND_PROFILES[band]));
    expect({
      criticalFloor: column((p) => p.critical.state_transitions_min_per_sec),
      processingFloor: column((p) => p.critical.history_processing_rate_min_per_sec),
      demandFloor: column((p) => p.critical.completion_rate_demand_floor_per_sec),
      backlogMax: column((p) => p.critical.history_backlog_age_max_sec),
      completionMin: column((p) => p.critical.workflow_completion_rate_min),
      persistenceErrors: column((p) => p.critical.persistence_error_rate_max_per_sec),
      stLatency: column((p) => p.stressed.state_transition_latency_p99_max_ms),
      stressedBacklog: column((p) => p.stressed.history_backlog_age_stress_sec),
      frontend: column((p) => p.stressed.frontend_latency_p99_max_ms),
      persistenceLatency: column((p) => p.stressed.persistence_latency_p99_max_ms),
      shardChurn: column((p) => p.stressed.shard_churn_rate_max_per_sec),
      poller: column((p) => p.stressed.poller_timeout_rate_max),
      healthyTp: column((p) => p.healthy.state_transitions_healthy_per_sec),
      healthyBacklog: column((p) => p.healthy.history_backlog_age_healthy_sec),
      healthyCompletion: column((p) => p.healthy.workflow_completion_rate_healthy),
    }).toEqual({
      criticalFloor: [0.5, 3, 5],
      processingFloor: [0.5, 3, 5],
      demandFloor: [0.5, 3, 5],
      backlogMax: [600, 300, 300],
      completionMin: [0.3, 0.3, 0.3],
      persistenceErrors: [50, 50, 50],
      stLatency: [2000, 1000, 500],
      stressedBacklog: [120, 60, 30],
      frontend: [5000, 2000, 1000],
      persistenceLatency: [500, 200, 100],
      shardChurn: [5, 5, 5],
      poller: [0.5, 0.3, 0.1],
      healthyTp: [0.5, 5, 10],
      healthyBacklog: [120, 60, 30],
      healthyCompletion: [0.85, 0.85, 0.85],
    });
    for (const band of SCALE_BANDS) expect(ThresholdProfile(BAND_PROFILES[band])).toEqual(BAND_PROFILES[band]);
  });

  test('per-band overrides win over `all`, and `all` over the band profile', () => {
    const profile = getThresholdProfile({
      band: 'mid-scale',
      overrides: {
        all: { stressed: { frontend_latency_p99_max_ms: 4000, shard_churn_rate_max_per_sec: 9 } },
        'mid-scale': { stressed: { frontend_latency_p99_max_ms: 2500 } },
        starter: { stressed: { frontend_latency_p99_max_ms: 1 } },
      },
    });
    expect(profile.stressed).toEqual({
      ...BAND_PROFILES['mid-scale'].stressed,
      frontend_latency_p99_max_ms: 2500,
      shard_churn_rate_max_per_sec: 9,
    });
    expect(BAND_PROFILES['mid-scale'].stressed.frontend_latency_p99_max_ms).toBe(2000);
  });

  test('equal critical and healthy throughput floors are allowed; a higher critical floor is CONFIG_INVALID', () => {
    const equal = {
      all: { critical: { state_transitions_min_per_sec: 10 }, healthy: { state_transitions_healthy_per_sec: 10 } },
    };
    expect(getThresholdProfile({ band: 'starter', overrides: equal }).critical.state_transitions_min_per_sec).toBe(10);
    const broken = { starter: { critical: { state_transitions_min_per_sec: 0.6 } } };
    expect(() => getThresholdProfile({ band: 'starter', overrides: broken })).toThrow(AppError);
    try {
      validateOverrides(broken);
    } catch (error) {
      expect(error instanceof AppError && error.code).toBe('CONFIG_INVALID');
      expect(error instanceof AppError && Object.keys(error.problems ?? {})).toEqual([
        'starter.critical.state_transitions_min_per_sec',
      ]);
      return;
    }
    throw new Error('validateOverrides accepted a critical floor above the healthy floor');
  });

  test('overrides round-trip through JSON and validate; the result is ordered or CONFIG_INVALID', () => {
    fc.assert(
      fc.property(overridesArb, (overrides) => {
        expect(ThresholdOverrides(JSON.parse(JSON.stringify(overrides)))).toEqual(overrides);
        for (const band of SCALE_BANDS) {
          try {
            const profile = getThresholdProfile({ band, overrides });
            expect(profile.critical.state_transitions_min_per_sec).toBeLessThanOrEqual(
              profile.healthy.state_transitions_healthy_per_sec,
            );
            expect(ThresholdProfile(profile)).toEqual(profile);
          } catch (error) {
            expect(error instanceof AppError && error.code).toBe('CONFIG_INVALID');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test.each([
    {
      input: { all: { critical: { state_transition_min_per_sec: 1 } } },
      path: 'all.critical.state_transition_min_per_sec',
    },
    {
      input: { starter: { healthy: { workflow_completion_rate_healthy: 1.5 } } },
      path: 'starter.healthy.workflow_completion_rate_healthy',
    },
    {
      input: { 'mid-scale': { stressed: { poller_timeout_rate_max: -1 } } },
      path: '["mid-scale"].stressed.poller_timeout_rate_max',
    },
    { input: { huge: {} }, path: 'huge' },
  ])('invalid overrides name the field ($path)', ({ input, path }) => {
    let problems: string[] = [];
    try {
      parseOrThrow(ThresholdOverrides, input, 'threshold overrides');
    } catch (error) {
      problems = error instanceof AppError ? Object.keys(error.problems ?? {}) : [];
    }
    expect(problems).toEqual([path]);
  });
});
