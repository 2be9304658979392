import { type } from 'arktype';
import {
  AssessmentTrigger,
  EXPLAINER_DETAIL_FIELDS,
  Explainer,
  Issue,
  LogPattern,
  SuggestedAction,
} from './assessment.ts';
import { ClusterConfig } from './cluster.ts';
import { Decision, EngineState, HealthState, ThresholdOverrides } from './health.ts';
import { IsoTime, Measured, MeasuredRatio, NonNegative } from './numbers.ts';
import { SignalsSnapshot } from './signals.ts';

/**
 * Inputs and outputs of the Temporal workflows and activities. Each workflow and activity takes exactly one of these
 * objects, so fields can be added without breaking running histories. Inputs are validated at the client that starts
 * a workflow (and again by the worker before it runs one), never trusted from history blindly.
 */

/** Interval between observation cycles, ms. Temporal timers are cheap, but a cycle is ~a dozen queries. */
const IntervalMs = type('5000 <= number.integer <= 86400000');
/** Cycles per run before continue-as-new; history stays far below Temporal's 51,200-event limit. */
const CycleCap = type('1 <= number.integer <= 1000');

/** The key numbers of one decision, kept in the observer's bounded sliding window (trend for the explainer). */
export const WindowEntry = type({
  at: IsoTime,
  health_state: HealthState,
  fingerprint: 'string > 0',
  throughput_per_sec: Measured,
  completion_rate: MeasuredRatio,
  backlog_age_sec: Measured,
  state_transition_latency_p99_ms: Measured,
  persistence_latency_p99_ms: Measured,
  firing_rules: 'string[]',
});
export type WindowEntry = typeof WindowEntry.infer;

/** What the observer carries across continue-as-new. */
export const ObserverCarry = type({
  engineState: EngineState,
  window: WindowEntry.array().atMostLength(10),
  /** A new log signature was seen; the next cycle must produce an assessment even without a state change. */
  pendingLogPattern: 'boolean',
  /** State and fingerprint of the decision that was last explained (null before the first assessment). */
  lastAssessedState: HealthState.or('null'),
  lastAssessedFingerprint: 'string | null',
  /** Cycles run over all runs of this workflow id, for reporting. */
  cyclesTotal: 'number.integer >= 0',
});
export type ObserverCarry = typeof ObserverCarry.infer;

export const ObserveClusterInput = type({
  cluster: ClusterConfig,
  'intervalMs?': IntervalMs,
  'cycleCap?': CycleCap,
  /** Timeout of the assessment child's explainer step, ms. @default 30000 */
  'explainTimeoutMs?': '1000 <= number.integer <= 300000',
  'carried?': ObserverCarry,
  '+': 'reject',
});
export type ObserveClusterInput = typeof ObserveClusterInput.infer;

/** Answer of the observer's `current` query. */
export const ObserverCurrent = type({
  decision: Decision.or('null'),
  engineState: EngineState,
  cyclesTotal: 'number.integer >= 0',
  pendingLogPattern: 'boolean',
});
export type ObserverCurrent = typeof ObserverCurrent.infer;

/** Payload of the `newLogPattern` signal the log watcher sends to the observer. */
export const NewLogPatternSignal = type({
  signatures: 'string[]',
  at: IsoTime,
});
export type NewLogPatternSignal = typeof NewLogPatternSignal.infer;

export const LogWatcherCarry = type({
  /** Signature ids (with service) seen in the previous window; null before the first window. */
  previousSignatures: 'string[] | null',
  cyclesTotal: 'number.integer >= 0',
});
export type LogWatcherCarry = typeof LogWatcherCarry.infer;

export const LogWatcherInput = type({
  cluster: ClusterConfig,
  'intervalMs?': IntervalMs,
  'cycleCap?': CycleCap,
  'carried?': LogWatcherCarry,
  '+': 'reject',
});
export type LogWatcherInput = typeof LogWatcherInput.infer;

export const AssessHealthInput = type({
  cluster: 'string > 0',
  trigger: AssessmentTrigger,
  decision: Decision,
  snapshot: SignalsSnapshot,
  window: WindowEntry.array(),
  /** Look up recent log patterns only for clusters with a Loki URL. */
  hasLogs: 'boolean',
  'explainTimeoutMs?': '1000 <= number.integer <= 300000',
  /** The cluster's threshold overrides, so the explainer's evidence judges signals as the engine did. */
  'overrides?': ThresholdOverrides,
  '+': 'reject',
});
export type AssessHealthInput = typeof AssessHealthInput.infer;

export const AssessHealthResult = type({
  assessment_key: 'string > 0',
  inserted: 'boolean',
  explainer: Explainer,
  /** True when the explainer failed or timed out and the rules-only explanation was stored instead. */
  fell_back: 'boolean',
});
export type AssessHealthResult = typeof AssessHealthResult.infer;

export const ScheduledAssessmentInput = type({
  cluster: ClusterConfig,
  /** @default 300000 (5 min) */
  'intervalMs?': IntervalMs,
  /** An assessment with the same fingerprint this recent makes the scheduled one redundant. @default 240000 */
  'dedupWindowMs?': '0 <= number.integer <= 86400000',
  /** A stored cycle older than this is not "current": the observer is down, and we say nothing. @default 180000 */
  'maxCycleAgeMs?': '1000 <= number.integer <= 86400000',
  /** Timeout of the assessment child's explainer steps, ms (as the observer's). @default 30000 */
  'explainTimeoutMs?': '1000 <= number.integer <= 300000',
  'cycleCap?': CycleCap,
  'carried?': { cyclesTotal: 'number.integer >= 0' },
  '+': 'reject',
});
export type ScheduledAssessmentInput = typeof ScheduledAssessmentInput.infer;

/** Everything the explainer sees: pre-aggregated evidence only. */
export const ExplainInput = type({
  decision: Decision,
  snapshot: SignalsSnapshot,
  window: WindowEntry.array(),
  logPatterns: LogPattern.array(),
  knowledge: 'string[]',
});
export type ExplainInput = typeof ExplainInput.infer;

export const Explanation = type({
  summary: 'string > 0',
  issues: Issue.array(),
  recommended_actions: SuggestedAction.array(),
  explainer: Explainer,
  explain_duration_ms: NonNegative,
  ...EXPLAINER_DETAIL_FIELDS,
});
export type Explanation = typeof Explanation.infer;

/** The deployment's one retention loop (`copilot-retention`): purge store rows older than `retentionDays`. */
export const RetentionInput = type({
  retentionDays: '1 <= number.integer <= 3650',
  /** @default 86400000 (daily) */
  'intervalMs?': type('60000 <= number.integer <= 86400000'),
  'cycleCap?': CycleCap,
  'carried?': { runsTotal: 'number.integer >= 0' },
  '+': 'reject',
});
export type RetentionInput = typeof RetentionInput.infer;

export const FetchSignalsInput = type({ cluster: ClusterConfig, atMs: 'number.integer >= 0' });

/** One engine step, run as a local activity so its result is recorded: a rule change never breaks replay. */
export const DecideCycleInput = type({ cluster: ClusterConfig, snapshot: SignalsSnapshot, state: EngineState });
export type DecideCycleInput = typeof DecideCycleInput.infer;

export const DecideCycleResult = type({ decision: Decision, state: EngineState });
export type DecideCycleResult = typeof DecideCycleResult.infer;
export type FetchSignalsInput = typeof FetchSignalsInput.infer;

export const CountLogPatternsActivityInput = type({
  cluster: ClusterConfig,
  startMs: 'number.integer >= 0',
  endMs: 'number.integer >= 0',
});
export type CountLogPatternsActivityInput = typeof CountLogPatternsActivityInput.infer;
