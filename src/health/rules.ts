import type { Comparison, PrimarySignals, ProgressEvidence, ThresholdProfile } from '../models/index.ts';
import { PROGRESS_CRITICAL_RULES, STALLED_QUEUE_RULE } from './rules-progress.ts';

/** Every rule the engine knows. Ids are part of the public contract (findings, fingerprints, service reasons). */
export type RuleId =
  | 'critical.throughput_collapse'
  | 'critical.completion_collapse'
  | 'critical.processing_collapse'
  | 'critical.history_backlog'
  | 'critical.persistence_errors'
  | 'critical.progress_stall'
  | 'critical.dispatch_stall'
  | 'stressed.state_transition_latency'
  | 'stressed.history_backlog'
  | 'stressed.frontend_latency'
  | 'stressed.persistence_latency'
  | 'stressed.shard_churn'
  | 'stressed.poller_timeouts'
  | 'stressed.stalled_task_queue'
  | 'happy.throughput'
  | 'happy.history_backlog'
  | 'happy.completion'
  | 'recovery.near_critical';

export type RuleKind = 'critical' | 'stressed' | 'healthy' | 'recovery';

/** Demand gate: `true` open (the rule applies), `false` closed (too little traffic to judge), `null` no data. */
export type DemandGate = (
  primary: PrimarySignals,
  profile: ThresholdProfile,
  progress: ProgressEvidence,
) => boolean | null;

/**
 * One threshold comparison. The condition "holds" when `value > threshold` ('above') or `value < threshold`
 * ('below'). For critical/stressed/recovery rules holding means firing; for healthy rules it means the gate fails.
 */
export interface Rule {
  id: RuleId;
  kind: RuleKind;
  /** Dotted path of the value in the signals snapshot (or, for progress rules, in the decision's `progress`). */
  signal: string;
  comparison: Comparison;
  read: (primary: PrimarySignals, progress: ProgressEvidence) => number | null;
  threshold: (profile: ThresholdProfile) => number;
  /** System-busy (retention storm) suppresses the rule: zero throughput there is background work, not collapse. */
  suppressedWhenBusy: boolean;
  demand?: DemandGate;
  /** What the demand gate requires, in words; docs/rules.md is generated from it (required with `demand`). */
  demandSummary?: string;
}

/** Fixed, not per band (original 840bc07): below 5 st/s long polls dominate frontend latency and poll timeouts. */
export const DEMAND_THROUGHPUT_PER_SEC = 5;
/** Below 1 terminal workflow/s a completion ratio is noise, so the healthy completion gate passes. */
export const HEALTHY_COMPLETION_DEMAND_PER_SEC = 1;
/** Recovery band out of Critical: floors ×1.5, backlog ceiling ×0.75 (original bacf5dd). */
export const RECOVERY_FLOOR_FACTOR = 1.5;
export const RECOVERY_CEILING_FACTOR = 0.75;

const tp = (p: PrimarySignals): number | null => p.state_transitions.throughput_per_sec;
const proc = (p: PrimarySignals): number | null => p.history.task_processing_rate_per_sec;
const backlog = (p: PrimarySignals): number | null => p.history.backlog_age_sec;

/** Terminal workflows per second (success + failed); null unless both are known. */
export function terminalPerSec(primary: PrimarySignals): number | null {
  const { success_per_sec: success, failed_per_sec: failed } = primary.workflow_completion;
  return success === null || failed === null ? null : success + failed;
}

const THROUGHPUT_DEMAND_SUMMARY = `state transitions at or above ${DEMAND_THROUGHPUT_PER_SEC}/s`;
const throughputDemand: DemandGate = (p) => {
  const value = tp(p);
  return value === null ? null : value >= DEMAND_THROUGHPUT_PER_SEC;
};

export const SIGNAL = {
  throughput: 'primary.state_transitions.throughput_per_sec',
  stLatencyP99: 'primary.state_transitions.latency_p99_ms',
  completionRate: 'primary.workflow_completion.completion_rate',
  backlog: 'primary.history.backlog_age_sec',
  processing: 'primary.history.task_processing_rate_per_sec',
  shardChurn: 'primary.history.shard_churn_rate_per_sec',
  frontendP99: 'primary.frontend.latency_p99_ms',
  pollTimeouts: 'primary.poller.poll_timeout_rate',
  persistenceP99: 'primary.persistence.latency_p99_ms',
  persistenceErrors: 'primary.persistence.error_rate_per_sec',
} as const;

/** Critical gates (reference §2.4), in the original's order. */
export const CRITICAL_RULES: readonly Rule[] = [
  {
    id: 'critical.throughput_collapse',
    kind: 'critical',
    signal: SIGNAL.throughput,
    comparison: 'below',
    read: tp,
    threshold: (t) => t.critical.state_transitions_min_per_sec,
    suppressedWhenBusy: true,
  },
  {
    id: 'critical.completion_collapse',
    kind: 'critical',
    signal: SIGNAL.completionRate,
    comparison: 'below',
    read: (p) => p.workflow_completion.completion_rate,
    threshold: (t) => t.critical.workflow_completion_rate_min,
    suppressedWhenBusy: true,
    demandSummary: 'terminal workflows (success + failed) at or above critical.completion_rate_demand_floor_per_sec',
    demand: (p, t) => {
      const terminal = terminalPerSec(p);
      return terminal === null ? null : terminal >= t.critical.completion_rate_demand_floor_per_sec;
    },
  },
  {
    id: 'critical.processing_collapse',
    kind: 'critical',
    signal: SIGNAL.processing,
    comparison: 'below',
    read: proc,
    threshold: (t) => t.critical.history_processing_rate_min_per_sec,
    suppressedWhenBusy: true,
  },
  {
    id: 'critical.history_backlog',
    kind: 'critical',
    signal: SIGNAL.backlog,
    comparison: 'above',
    read: backlog,
    threshold: (t) => t.critical.history_backlog_age_max_sec,
    suppressedWhenBusy: false,
  },
  {
    id: 'critical.persistence_errors',
    kind: 'critical',
    signal: SIGNAL.persistenceErrors,
    comparison: 'above',
    read: (p) => p.persistence.error_rate_per_sec,
    threshold: (t) => t.critical.persistence_error_rate_max_per_sec,
    suppressedWhenBusy: false,
  },
  ...PROGRESS_CRITICAL_RULES,
];

/** Near-critical band, consulted only when the previous known state is Critical and no critical gate fires. */
export const RECOVERY_RULES: readonly Rule[] = [
  {
    id: 'recovery.near_critical',
    kind: 'recovery',
    signal: SIGNAL.throughput,
    comparison: 'below',
    read: tp,
    threshold: (t) => RECOVERY_FLOOR_FACTOR * t.critical.state_transitions_min_per_sec,
    suppressedWhenBusy: false,
  },
  {
    id: 'recovery.near_critical',
    kind: 'recovery',
    signal: SIGNAL.backlog,
    comparison: 'above',
    read: backlog,
    threshold: (t) => RECOVERY_CEILING_FACTOR * t.critical.history_backlog_age_max_sec,
    suppressedWhenBusy: false,
  },
  {
    id: 'recovery.near_critical',
    kind: 'recovery',
    signal: SIGNAL.processing,
    comparison: 'below',
    read: proc,
    threshold: (t) => RECOVERY_FLOOR_FACTOR * t.critical.history_processing_rate_min_per_sec,
    suppressedWhenBusy: false,
  },
];

/** Stressed gates (reference §2.4), in the original's order (signals 2, 4, 8, 11, 6, 10). */
export const STRESSED_RULES: readonly Rule[] = [
  {
    id: 'stressed.state_transition_latency',
    kind: 'stressed',
    signal: SIGNAL.stLatencyP99,
    comparison: 'above',
    read: (p) => p.state_transitions.latency_p99_ms,
    threshold: (t) => t.stressed.state_transition_latency_p99_max_ms,
    suppressedWhenBusy: false,
  },
  {
    id: 'stressed.history_backlog',
    kind: 'stressed',
    signal: SIGNAL.backlog,
    comparison: 'above',
    read: backlog,
    threshold: (t) => t.stressed.history_backlog_age_stress_sec,
    suppressedWhenBusy: false,
  },
  {
    id: 'stressed.frontend_latency',
    kind: 'stressed',
    signal: SIGNAL.frontendP99,
    comparison: 'above',
    read: (p) => p.frontend.latency_p99_ms,
    threshold: (t) => t.stressed.frontend_latency_p99_max_ms,
    suppressedWhenBusy: false,
    demand: throughputDemand,
    demandSummary: THROUGHPUT_DEMAND_SUMMARY,
  },
  {
    id: 'stressed.persistence_latency',
    kind: 'stressed',
    signal: SIGNAL.persistenceP99,
    comparison: 'above',
    read: (p) => p.persistence.latency_p99_ms,
    threshold: (t) => t.stressed.persistence_latency_p99_max_ms,
    suppressedWhenBusy: false,
  },
  {
    id: 'stressed.shard_churn',
    kind: 'stressed',
    signal: SIGNAL.shardChurn,
    comparison: 'above',
    read: (p) => p.history.shard_churn_rate_per_sec,
    threshold: (t) => t.stressed.shard_churn_rate_max_per_sec,
    suppressedWhenBusy: false,
  },
  {
    id: 'stressed.poller_timeouts',
    kind: 'stressed',
    signal: SIGNAL.pollTimeouts,
    comparison: 'above',
    read: (p) => p.poller.poll_timeout_rate,
    threshold: (t) => t.stressed.poller_timeout_rate_max,
    suppressedWhenBusy: false,
    demand: throughputDemand,
    demandSummary: THROUGHPUT_DEMAND_SUMMARY,
  },
  STALLED_QUEUE_RULE,
];

/** Healthy gates: Happy needs all of them to pass; a rule "holds" here when its gate fails. */
export const HEALTHY_RULES: readonly Rule[] = [
  {
    id: 'happy.throughput',
    kind: 'healthy',
    signal: SIGNAL.throughput,
    comparison: 'below',
    read: tp,
    threshold: (t) => t.healthy.state_transitions_healthy_per_sec,
    suppressedWhenBusy: false,
    // Callers that stopped or halved (progress.demand_dropped) explain low throughput: in three fresh-clone runs
    // the live observer read Stressed for one cycle on this gate while the rates decayed after the load stopped.
    demand: (_p, _t, progress) => !progress.demand_dropped,
    demandSummary: 'callers have not stopped or halved (no demand drop against the baseline)',
  },
  {
    id: 'happy.history_backlog',
    kind: 'healthy',
    signal: SIGNAL.backlog,
    comparison: 'above',
    read: backlog,
    threshold: (t) => t.healthy.history_backlog_age_healthy_sec,
    suppressedWhenBusy: false,
  },
  {
    id: 'happy.completion',
    kind: 'healthy',
    signal: SIGNAL.completionRate,
    comparison: 'below',
    read: (p) => p.workflow_completion.completion_rate,
    threshold: (t) => t.healthy.workflow_completion_rate_healthy,
    suppressedWhenBusy: false,
    demand: (p) => {
      const terminal = terminalPerSec(p);
      return terminal === null ? null : terminal >= HEALTHY_COMPLETION_DEMAND_PER_SEC;
    },
    demandSummary: `at least ${HEALTHY_COMPLETION_DEMAND_PER_SEC} terminal workflow/s (success + failed)`,
  },
];
