import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { evaluate } from '../../src/health/index.ts';
import type { Decision, EngineState, WindowEntry } from '../../src/models/index.ts';
import {
  AssessHealthInput,
  AssessHealthResult,
  CountLogPatternsActivityInput,
  ExplainInput,
  Explanation,
  FetchSignalsInput,
  LogWatcherInput,
  NewLogPatternSignal,
  ObserveClusterInput,
  ObserverCurrent,
  parseOrThrow,
  ScheduledAssessmentInput,
} from '../../src/models/index.ts';
import {
  clusterConfig,
  isoTime,
  issue,
  logPattern,
  measured,
  measuredRatio,
  signalsSnapshot,
  suggestedAction,
} from './arbitraries.ts';

const NUM_RUNS = 200;

/** Real decisions: the engine's output over generated snapshots, so these arbitraries cannot drift from it. */
const evaluated = signalsSnapshot.map((snapshot) => ({ snapshot, ...evaluate({ snapshot, state: null }) }));
const decision: fc.Arbitrary<Decision> = evaluated.map((r) => r.decision);
const engineState: fc.Arbitrary<EngineState> = evaluated.map((r) => r.state);

const windowEntry: fc.Arbitrary<WindowEntry> = fc.record({
  at: isoTime,
  health_state: fc.constantFrom('happy', 'stressed', 'critical', 'unknown'),
  fingerprint: fc.string({ minLength: 1, maxLength: 8 }),
  throughput_per_sec: measured,
  completion_rate: measuredRatio,
  backlog_age_sec: measured,
  state_transition_latency_p99_ms: measured,
  persistence_latency_p99_ms: measured,
  firing_rules: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 4 }),
});

const observerCarry = fc.record({
  engineState,
  window: fc.array(windowEntry, { maxLength: 10 }),
  pendingLogPattern: fc.boolean(),
  lastAssessedState: fc.constantFrom('happy', 'stressed', 'critical', 'unknown', null),
  lastAssessedFingerprint: fc.option(fc.string({ minLength: 1 }), { nil: null }),
  cyclesTotal: fc.nat(),
});
const intervalMs = fc.integer({ min: 5_000, max: 86_400_000 });
const cycleCap = fc.integer({ min: 1, max: 1000 });
const trigger = fc.constantFrom('state_change', 'fingerprint_change', 'new_log_pattern', 'scheduled', 'manual');

const CASES: [string, (data: unknown) => unknown, fc.Arbitrary<unknown>][] = [
  [
    'ObserveClusterInput',
    ObserveClusterInput,
    fc.record(
      {
        cluster: clusterConfig,
        intervalMs,
        cycleCap,
        explainTimeoutMs: fc.integer({ min: 1000, max: 300_000 }),
        carried: observerCarry,
      },
      { requiredKeys: ['cluster'] },
    ),
  ],
  [
    'ObserverCurrent',
    ObserverCurrent,
    fc.record({
      decision: fc.option(decision, { nil: null }),
      engineState,
      cyclesTotal: fc.nat(),
      pendingLogPattern: fc.boolean(),
    }),
  ],
  ['NewLogPatternSignal', NewLogPatternSignal, fc.record({ signatures: fc.array(fc.string()), at: isoTime })],
  [
    'LogWatcherInput',
    LogWatcherInput,
    fc.record(
      {
        cluster: clusterConfig,
        intervalMs,
        cycleCap,
        carried: fc.record({
          previousSignatures: fc.option(fc.array(fc.string()), { nil: null }),
          cyclesTotal: fc.nat(),
        }),
      },
      { requiredKeys: ['cluster'] },
    ),
  ],
  [
    'AssessHealthInput',
    AssessHealthInput,
    evaluated.chain(({ snapshot, decision: d }) =>
      fc.record({
        cluster: fc.constant(d.cluster),
        trigger,
        decision: fc.constant(d),
        snapshot: fc.constant(snapshot),
        window: fc.array(windowEntry, { maxLength: 10 }),
        hasLogs: fc.boolean(),
      }),
    ),
  ],
  [
    'AssessHealthResult',
    AssessHealthResult,
    fc.record({
      assessment_key: fc.string({ minLength: 1 }),
      inserted: fc.boolean(),
      explainer: fc.constantFrom('rules', 'model', 'cache'),
      fell_back: fc.boolean(),
    }),
  ],
  [
    'ScheduledAssessmentInput',
    ScheduledAssessmentInput,
    fc.record(
      {
        cluster: clusterConfig,
        intervalMs,
        dedupWindowMs: fc.integer({ min: 0, max: 86_400_000 }),
        maxCycleAgeMs: fc.integer({ min: 1000, max: 86_400_000 }),
        cycleCap,
        carried: fc.record({ cyclesTotal: fc.nat() }),
      },
      { requiredKeys: ['cluster'] },
    ),
  ],
  [
    'ExplainInput',
    ExplainInput,
    evaluated.chain(({ snapshot, decision: d }) =>
      fc.record({
        decision: fc.constant(d),
        snapshot: fc.constant(snapshot),
        window: fc.array(windowEntry, { maxLength: 3 }),
        logPatterns: fc.array(logPattern, { maxLength: 3 }),
        knowledge: fc.array(fc.string(), { maxLength: 3 }),
      }),
    ),
  ],
  [
    'Explanation',
    Explanation,
    fc.record({
      summary: fc.string({ minLength: 1 }),
      issues: fc.array(issue, { maxLength: 3 }),
      recommended_actions: fc.array(suggestedAction, { maxLength: 3 }),
      explainer: fc.constantFrom('rules', 'model', 'cache'),
      explain_duration_ms: fc.nat(),
    }),
  ],
  ['FetchSignalsInput', FetchSignalsInput, fc.record({ cluster: clusterConfig, atMs: fc.nat() })],
  [
    'CountLogPatternsActivityInput',
    CountLogPatternsActivityInput,
    fc.record({ cluster: clusterConfig, startMs: fc.nat(), endMs: fc.nat() }),
  ],
];

describe('workflow and activity inputs round-trip through JSON (what Temporal stores in history)', () => {
  test.each(CASES)('%s', (_name, schema, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (value) => {
        const parsed = parseOrThrow(schema, JSON.parse(JSON.stringify(value)), 'input');
        expect(parsed).toEqual(value);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test.each(CASES)('%s: arbitrary input never throws', (_name, schema) => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        schema(value);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('a misspelt field in a workflow input is rejected by name, not silently dropped', () => {
    const bad = { cluster: { name: 'prod', prometheus_url: 'http://127.0.0.1:9090' }, intervalMS: 30_000 };
    expect(() => parseOrThrow(ObserveClusterInput, bad, 'observe input')).toThrow(/intervalMS/);
  });
});
