import fc from 'fast-check';
import type {
  EngineState,
  PrimarySignals,
  ProgressBaseline,
  SignalsSnapshot,
  ThresholdOverrideSet,
  ThresholdOverrides,
} from '../../src/models/index.ts';
import { FIXED_AT, nullAmplifiers } from './fixtures.ts';

/** Values at and around every band threshold, so generated snapshots land on the edges often. */
const EDGES = [0, 0.05, 0.1, 0.3, 0.5, 0.75, 1, 3, 4.5, 4.99, 5, 7.5, 10, 30, 45, 50, 55, 60, 100, 120, 200, 300];
const BIG_EDGES = [450, 500, 550, 600, 1000, 2000, 3000, 5000, 6000];
const RATIO_EDGES = [0, 0.1, 0.2, 0.3, 0.5, 0.85, 0.9, 1];

// `+ 0` turns -0 into 0: JSON cannot tell them apart, and round-trip tests compare with toEqual.
const amount = (max: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(...EDGES, ...BIG_EDGES.filter((edge) => edge <= max)),
    fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0),
  );
const ratio: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...RATIO_EDGES),
  fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x + 0),
);

export interface NullOptions {
  /** One value in `nullFreq` is null; 0 means never null. */
  nullFreq: number;
}

const maybe = (arb: fc.Arbitrary<number>, options: NullOptions): fc.Arbitrary<number | null> =>
  options.nullFreq === 0 ? arb : fc.option(arb, { nil: null, freq: options.nullFreq });

/** Primary signals, each value a non-negative number (ratios in [0, 1]) or null. */
export function primaryArb(options: NullOptions = { nullFreq: 8 }): fc.Arbitrary<PrimarySignals> {
  const m = (max: number): fc.Arbitrary<number | null> => maybe(amount(max), options);
  const r = (): fc.Arbitrary<number | null> => maybe(ratio, options);
  return fc.record({
    state_transitions: fc.record({ throughput_per_sec: m(1000), latency_p95_ms: m(5000), latency_p99_ms: m(6000) }),
    workflow_completion: fc.record({ completion_rate: r(), success_per_sec: m(100), failed_per_sec: m(100) }),
    history: fc.record({
      backlog_age_sec: m(1000),
      task_processing_rate_per_sec: m(1000),
      shard_churn_rate_per_sec: m(20),
    }),
    frontend: fc.record({
      error_rate_per_sec: m(10),
      latency_p95_ms: m(6000),
      latency_p99_ms: m(6000),
      long_poll_latency_p99_ms: m(100_000),
    }),
    matching: fc.record({
      workflow_backlog_age_sec: m(100),
      activity_backlog_age_sec: m(100),
      backlog_tasks: m(5000),
      backlog_growth_per_sec: maybe(
        fc.double({ min: -50, max: 50, noNaN: true }).map((x) => x + 0),
        options,
      ),
      stalled_task_queues: maybe(fc.integer({ min: 0, max: 4 }), options),
    }),
    demand: fc.record({ workflow_starts_per_sec: m(200) }),
    poller: fc.record({ poll_success_rate: r(), poll_timeout_rate: r(), long_poll_latency_ms: m(100_000) }),
    persistence: fc.record({
      latency_p95_ms: m(6000),
      latency_p99_ms: m(6000),
      error_rate_per_sec: m(100),
      retry_rate_per_sec: m(100),
    }),
    system_operations: fc.record({ deletion_rate_per_sec: m(60), cleanup_delete_rate_per_sec: m(5) }),
  });
}

function workerArb(options: NullOptions): fc.Arbitrary<SignalsSnapshot['worker']> {
  const slots = maybe(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200 })), options);
  const latency = maybe(amount(500), options);
  return fc.record({
    wft_schedule_to_start_p95_ms: latency,
    wft_schedule_to_start_p99_ms: latency,
    activity_schedule_to_start_p95_ms: latency,
    activity_schedule_to_start_p99_ms: latency,
    workflow_slots_available: slots,
    workflow_slots_used: slots,
    activity_slots_available: slots,
    activity_slots_used: slots,
    workflow_pollers: slots,
    activity_pollers: slots,
    sdk_endpoints_down: maybe(fc.integer({ min: 0, max: 3 }), options),
  });
}

function workerAmplifiersArb(options: NullOptions): fc.Arbitrary<SignalsSnapshot['worker_amplifiers']> {
  return fc.record({
    cache: fc.record({
      sticky_cache_size: maybe(amount(1000), options),
      sticky_cache_hit_rate: maybe(ratio, options),
      sticky_cache_miss_rate_per_sec: maybe(amount(100), options),
    }),
    poll: fc.record({
      long_poll_latency_p95_ms: maybe(amount(5000), options),
      long_poll_failure_rate_per_sec: maybe(amount(10), options),
    }),
  });
}

const isoTime = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

/** A whole snapshot; amplifiers are all null because the engine never reads them. */
export function snapshotArb(
  options: NullOptions & { primary?: fc.Arbitrary<PrimarySignals> } = { nullFreq: 8 },
): fc.Arbitrary<SignalsSnapshot> {
  return fc.record({
    at: fc.oneof(fc.constant(FIXED_AT), isoTime),
    cluster: fc.constantFrom('prod', 'dev-east', 'c'),
    metric_style: fc.constantFrom('otel' as const, 'tally' as const),
    primary: options.primary ?? primaryArb(options),
    amplifiers: fc.constant(null).map(() => nullAmplifiers()),
    worker: workerArb({ nullFreq: options.nullFreq === 0 ? 0 : 3 }),
    worker_amplifiers: workerAmplifiersArb({ nullFreq: options.nullFreq === 0 ? 0 : 3 }),
    missing: fc.constant([]),
  });
}

export const bandArb = fc.constantFrom('starter' as const, 'mid-scale' as const, 'high-throughput' as const);
export const knownStateArb = fc.constantFrom('happy' as const, 'stressed' as const, 'critical' as const);
export const healthStateArb = fc.constantFrom(
  'happy' as const,
  'stressed' as const,
  'critical' as const,
  'unknown' as const,
);

/** Any carried state, consistent or not: the invariants must hold whatever a store hands back. */
/** A learned baseline, sometimes not yet ready, sometimes stale against the snapshots' times. */
export const progressBaselineArb: fc.Arbitrary<ProgressBaseline> = fc.record({
  completions_per_sec: amount(200),
  starts_per_sec: amount(200),
  updated_at: fc
    .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') })
    .map((ms) => new Date(ms).toISOString()),
  learned_ms: fc.nat({ max: 30 * 60_000 }),
});

export const engineStateArb: fc.Arbitrary<EngineState> = fc.record(
  {
    health_state: healthStateArb,
    last_known_state: fc.option(knownStateArb, { nil: null }),
    consecutive_critical: fc.nat({ max: 12 }),
    scale_band: fc.option(bandArb, { nil: null }),
    progress_baseline: fc.option(progressBaselineArb, { nil: null }),
  },
  { requiredKeys: ['health_state', 'last_known_state', 'consecutive_critical', 'scale_band'] },
);

const overrideSetArb: fc.Arbitrary<ThresholdOverrideSet> = fc.record(
  {
    critical: fc.record(
      {
        state_transitions_min_per_sec: amount(10),
        workflow_completion_rate_min: ratio,
        history_backlog_age_max_sec: amount(1000),
        persistence_error_rate_max_per_sec: amount(100),
      },
      { requiredKeys: [] },
    ),
    stressed: fc.record(
      { frontend_latency_p99_max_ms: amount(6000), poller_timeout_rate_max: ratio },
      { requiredKeys: [] },
    ),
    healthy: fc.record(
      { state_transitions_healthy_per_sec: amount(100), workflow_completion_rate_healthy: ratio },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

/** Overrides as an operator might write them; ordering is not guaranteed (use validateOverrides to filter). */
export const overridesArb: fc.Arbitrary<ThresholdOverrides> = fc.record(
  { all: overrideSetArb, starter: overrideSetArb, 'mid-scale': overrideSetArb, 'high-throughput': overrideSetArb },
  { requiredKeys: [] },
);

/**
 * Mostly calm clusters: pressure signals scaled down and completion high, so Happy and near-threshold starting
 * points are common (the plain arbitrary lands on Stressed most of the time).
 */
export function calmPrimaryArb(options: NullOptions = { nullFreq: 8 }): fc.Arbitrary<PrimarySignals> {
  return fc.tuple(primaryArb(options), fc.double({ min: 0, max: 0.3, noNaN: true })).map(([p, factor]) => {
    const scale = (value: number | null): number | null => (value === null ? null : value * factor + 0);
    p.state_transitions.latency_p99_ms = scale(p.state_transitions.latency_p99_ms);
    p.history.backlog_age_sec = scale(p.history.backlog_age_sec);
    p.history.shard_churn_rate_per_sec = scale(p.history.shard_churn_rate_per_sec);
    p.frontend.latency_p99_ms = scale(p.frontend.latency_p99_ms);
    p.poller.poll_timeout_rate = scale(p.poller.poll_timeout_rate);
    p.persistence.latency_p99_ms = scale(p.persistence.latency_p99_ms);
    p.persistence.error_rate_per_sec = scale(p.persistence.error_rate_per_sec);
    const rate = p.workflow_completion.completion_rate;
    p.workflow_completion.completion_rate = rate === null ? null : 0.85 + rate * 0.15;
    return p;
  });
}

const below = (limit: number): fc.Arbitrary<number> =>
  fc.double({ min: 0, max: limit, maxExcluded: true, noNaN: true }).map((x) => x + 0);

/** Every idle input present and under its limit; every other signal arbitrary (possibly null). */
export const idlePrimaryArb: fc.Arbitrary<PrimarySignals> = fc
  .tuple(primaryArb({ nullFreq: 4 }), fc.array(below(0.1), { minLength: 3, maxLength: 3 }), below(5), below(5))
  .chain(([primary, errors, throughput, processing]) =>
    fc.tuple(below(5), below(5), below(5), below(1), below(0.5)).map(([h, w, a, deletion, cleanup]) => {
      primary.state_transitions.throughput_per_sec = throughput;
      primary.history.task_processing_rate_per_sec = processing;
      primary.frontend.error_rate_per_sec = errors[0] ?? 0;
      primary.persistence.error_rate_per_sec = errors[1] ?? 0;
      primary.workflow_completion.failed_per_sec = errors[2] ?? 0;
      primary.history.backlog_age_sec = h;
      primary.matching.workflow_backlog_age_sec = w;
      primary.matching.activity_backlog_age_sec = a;
      primary.system_operations.deletion_rate_per_sec = deletion;
      primary.system_operations.cleanup_delete_rate_per_sec = cleanup;
      primary.matching.stalled_task_queues &&= 0; // a queue whose waiting tasks nobody takes is a stall, not idle
      primary.demand.workflow_starts_per_sec &&= 0; // an idle cluster has no callers
      return primary;
    }),
  );
