import { type } from 'arktype';
import { FiniteNumber, IsoTime, NonNegative, Ratio } from './numbers.ts';

export const HealthState = type("'happy' | 'stressed' | 'critical' | 'unknown'");
export type HealthState = typeof HealthState.infer;

/** The states the rules can decide from data; `unknown` means the copilot could not see. */
export const KnownHealthState = type("'happy' | 'stressed' | 'critical'");
export type KnownHealthState = typeof KnownHealthState.infer;

export const ScaleBand = type("'starter' | 'mid-scale' | 'high-throughput'");
export type ScaleBand = typeof ScaleBand.infer;

export const DataQuality = type("'complete' | 'partial' | 'blind'");
export type DataQuality = typeof DataQuality.infer;

/** Thresholds for one scale band. Units are in the names; ratios are in [0, 1]. */
export const ThresholdProfile = type({
  critical: {
    state_transitions_min_per_sec: NonNegative,
    workflow_completion_rate_min: Ratio,
    completion_rate_demand_floor_per_sec: NonNegative,
    history_backlog_age_max_sec: NonNegative,
    history_processing_rate_min_per_sec: NonNegative,
    persistence_error_rate_max_per_sec: NonNegative,
  },
  stressed: {
    state_transition_latency_p99_max_ms: NonNegative,
    history_backlog_age_stress_sec: NonNegative,
    frontend_latency_p99_max_ms: NonNegative,
    persistence_latency_p99_max_ms: NonNegative,
    shard_churn_rate_max_per_sec: NonNegative,
    poller_timeout_rate_max: Ratio,
  },
  healthy: {
    state_transitions_healthy_per_sec: NonNegative,
    history_backlog_age_healthy_sec: NonNegative,
    workflow_completion_rate_healthy: Ratio,
  },
});
export type ThresholdProfile = typeof ThresholdProfile.infer;

/**
 * Operator overrides: any threshold, optionally per band. Closed: a misspelled key is an error, not a silent no-op.
 * Applied on top of the band profile; the result must still be ordered (critical floors at or below healthy ones).
 */
export const ThresholdOverrideSet = type({
  'critical?': {
    'state_transitions_min_per_sec?': NonNegative,
    'workflow_completion_rate_min?': Ratio,
    'completion_rate_demand_floor_per_sec?': NonNegative,
    'history_backlog_age_max_sec?': NonNegative,
    'history_processing_rate_min_per_sec?': NonNegative,
    'persistence_error_rate_max_per_sec?': NonNegative,
    '+': 'reject',
  },
  'stressed?': {
    'state_transition_latency_p99_max_ms?': NonNegative,
    'history_backlog_age_stress_sec?': NonNegative,
    'frontend_latency_p99_max_ms?': NonNegative,
    'persistence_latency_p99_max_ms?': NonNegative,
    'shard_churn_rate_max_per_sec?': NonNegative,
    'poller_timeout_rate_max?': Ratio,
    '+': 'reject',
  },
  'healthy?': {
    'state_transitions_healthy_per_sec?': NonNegative,
    'history_backlog_age_healthy_sec?': NonNegative,
    'workflow_completion_rate_healthy?': Ratio,
    '+': 'reject',
  },
  '+': 'reject',
});
export type ThresholdOverrideSet = typeof ThresholdOverrideSet.infer;

/** Overrides for every band (`all`) and per band; per-band wins over `all`. */
export const ThresholdOverrides = type({
  'all?': ThresholdOverrideSet,
  'starter?': ThresholdOverrideSet,
  'mid-scale?': ThresholdOverrideSet,
  'high-throughput?': ThresholdOverrideSet,
  '+': 'reject',
});
export type ThresholdOverrides = typeof ThresholdOverrides.infer;

/**
 * The cluster's own recent normal: exponentially weighted averages of completions and starts, learned only from
 * cycles that are not stalled, so a stall cannot teach the engine that nothing completing is normal.
 */
export const ProgressBaseline = type({
  completions_per_sec: NonNegative,
  starts_per_sec: NonNegative,
  /** When the baseline last learned, and how much history it holds (capped), epoch ms. */
  updated_at: IsoTime,
  learned_ms: 'number.integer >= 0',
  '+': 'reject',
});
export type ProgressBaseline = typeof ProgressBaseline.infer;

/** Everything the engine carries from one cycle to the next: one serializable object. */
export const EngineState = type({
  health_state: HealthState,
  /** The last state decided from data; used for the Happy→Critical invariant across blind cycles. */
  last_known_state: KnownHealthState.or('null'),
  consecutive_critical: 'number.integer >= 0',
  scale_band: ScaleBand.or('null'),
  /** Absent in states carried before progress baselines existed; read as none learned yet. */
  'progress_baseline?': ProgressBaseline.or('null'),
  '+': 'reject',
});
export type EngineState = typeof EngineState.infer;

export const RuleLevel = type("'critical' | 'stressed' | 'not_happy'");
export type RuleLevel = typeof RuleLevel.infer;

export const Comparison = type("'above' | 'below'");
export type Comparison = typeof Comparison.infer;

/** A rule that fired (or, for `nearest_escalation`, the one closest to firing). */
export const RuleFinding = type({
  rule_id: 'string > 0',
  signal: 'string > 0',
  value: FiniteNumber,
  threshold: FiniteNumber,
  comparison: Comparison,
  level: RuleLevel,
  /** True when a context gate (system busy) kept this rule from counting. */
  suppressed: 'boolean',
});
export type RuleFinding = typeof RuleFinding.infer;

export const NearestEscalation = type({
  rule_id: 'string > 0',
  signal: 'string > 0',
  value: FiniteNumber,
  threshold: FiniteNumber,
  comparison: Comparison,
  /** The state this rule would move the cluster toward. */
  level: "'critical' | 'stressed'",
  /** How far the value is from the threshold, as a fraction of the threshold (0 = at the threshold). */
  headroom_ratio: NonNegative,
});
export type NearestEscalation = typeof NearestEscalation.infer;

export const ServiceName = type("'frontend' | 'history' | 'matching' | 'persistence' | 'workers'");
export type ServiceName = typeof ServiceName.infer;

export const ServiceStatus = type({
  name: ServiceName,
  status: HealthState,
  /** Rule ids (from the same rulebook as the decision) that set this status. */
  reasons: 'string[]',
});
export type ServiceStatus = typeof ServiceStatus.infer;

export const BottleneckClass = type("'server_limited' | 'worker_limited' | 'mixed' | 'healthy' | 'unknown'");
export type BottleneckClass = typeof BottleneckClass.infer;

export const Bottleneck = type({
  classification: BottleneckClass,
  server_reasons: 'string[]',
  worker_reasons: 'string[]',
  /** Why the classification was not made (server critical, no SDK metrics). */
  'not_evaluated_reason?': 'string',
});
export type Bottleneck = typeof Bottleneck.infer;

export const WorkerAdvisory = type({
  rule: "'NEVER_SCALE_DOWN_AT_ZERO' | 'STICKY_QUEUE_WARNING' | 'RESTART_TO_REDISTRIBUTE' | 'POLLER_EXECUTOR_MISMATCH' | 'NO_SDK_METRICS'",
  severity: "'info' | 'warning' | 'critical'",
  message: 'string > 0',
});
export type WorkerAdvisory = typeof WorkerAdvisory.infer;

/** What forward progress looked like this cycle against the cluster's own baseline and its demand. */
export const ProgressEvidence = type({
  /** Workflows completed successfully per second now, and the baseline's. */
  completions_per_sec: NonNegative.or('null'),
  baseline_completions_per_sec: NonNegative.or('null'),
  /** completions / baseline completions; null without a ready baseline. */
  completions_fraction_of_baseline: NonNegative.or('null'),
  starts_per_sec: NonNegative.or('null'),
  baseline_starts_per_sec: NonNegative.or('null'),
  /** continuing: starts hold up against the baseline; falling: callers asked less (not a stall); none: no starts. */
  demand: "'continuing' | 'falling' | 'none' | 'unknown'",
  /**
   * Callers that were there have stopped or halved (starts below half of a ready baseline that had starts): the
   * absolute throughput, completion and processing floors say nothing then, as on a quiet cluster.
   */
  demand_dropped: 'boolean',
  backlog_tasks: NonNegative.or('null'),
  backlog_growth_per_sec: FiniteNumber.or('null'),
  stalled_task_queues: NonNegative.or('null'),
  /** Whether the baseline holds enough history to judge a collapse against it. */
  baseline_ready: 'boolean',
  /** The baseline this decision was judged with, whole, so a restarted observer can resume it. */
  'baseline?': ProgressBaseline.or('null'),
});
export type ProgressEvidence = typeof ProgressEvidence.infer;

/** The engine's output for one evaluation. */
export const Decision = type({
  at: IsoTime,
  cluster: 'string > 0',
  health_state: HealthState,
  previous_state: HealthState,
  scale_band: ScaleBand,
  consecutive_critical: 'number.integer >= 0',
  idle: 'boolean',
  system_busy: 'boolean',
  firing: RuleFinding.array(),
  nearest_escalation: NearestEscalation.or('null'),
  data_quality: DataQuality,
  /** Gates that could not be evaluated because their signals had no data. */
  unevaluated_rules: 'string[]',
  services: ServiceStatus.array(),
  bottleneck: Bottleneck,
  worker_advisories: WorkerAdvisory.array(),
  /** Stable hash of state + firing rule ids + band; the explainer runs again only when it changes. */
  fingerprint: 'string > 0',
  rule_version: 'string > 0',
  /** Absent in decisions stored before progress was judged against a baseline. */
  'progress?': ProgressEvidence,
});
export type Decision = typeof Decision.infer;
