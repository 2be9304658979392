import type { PrimarySignals } from '../models/index.ts';

/** A context check that may be undetermined because an input is null. */
export interface ContextCheck {
  value: boolean;
  /** True when missing data kept the check from being decided (the value is then `false`). */
  undetermined: boolean;
}

/** Idle limits (reference §2.4, original 840bc07/0fe87ea): every input must be strictly below its limit. */
export const IDLE_LIMITS = {
  throughputPerSec: 5,
  processingPerSec: 5,
  errorRatePerSec: 0.1,
  backlogAgeSec: 5,
  deletionPerSec: 1,
  cleanupDeletePerSec: 0.5,
} as const;

/** System-busy: little workflow throughput while retention deletes run (original 0fe87ea). */
export const SYSTEM_BUSY_LIMITS = {
  throughputBelowPerSec: 5,
  deletionAtLeastPerSec: 5,
  cleanupAtLeastPerSec: 1,
} as const;

function idlePairs(primary: PrimarySignals): [number | null, number][] {
  const p = primary;
  return [
    [p.state_transitions.throughput_per_sec, IDLE_LIMITS.throughputPerSec],
    [p.history.task_processing_rate_per_sec, IDLE_LIMITS.processingPerSec],
    [p.frontend.error_rate_per_sec, IDLE_LIMITS.errorRatePerSec],
    [p.persistence.error_rate_per_sec, IDLE_LIMITS.errorRatePerSec],
    [p.workflow_completion.failed_per_sec, IDLE_LIMITS.errorRatePerSec],
    [p.history.backlog_age_sec, IDLE_LIMITS.backlogAgeSec],
    [p.matching.workflow_backlog_age_sec, IDLE_LIMITS.backlogAgeSec],
    [p.matching.activity_backlog_age_sec, IDLE_LIMITS.backlogAgeSec],
    [p.system_operations.deletion_rate_per_sec, IDLE_LIMITS.deletionPerSec],
    [p.system_operations.cleanup_delete_rate_per_sec, IDLE_LIMITS.cleanupDeletePerSec],
  ];
}

/**
 * Idle: a quiet cluster (startup shard acquisition and system workflows emit 2–5 st/s and short backlog spikes).
 * Idle cannot be claimed from missing data: any null input makes it undetermined unless a present input already
 * rules idle out.
 */
export function checkIdle(primary: PrimarySignals): ContextCheck {
  const pairs = idlePairs(primary);
  if (pairs.some(([value, limit]) => value !== null && value >= limit)) return { value: false, undetermined: false };
  const undetermined = pairs.some(([value]) => value === null);
  return { value: !undetermined, undetermined };
}

/**
 * Idle as the engine uses it. `quiet` is the activity check above; a quiet cluster with a task queue whose waiting
 * tasks no poll takes is not idle (those callers wait forever, so it cannot be Happy), but it is still quiet: the
 * throughput, completion and processing floors say nothing about it, exactly as on an undetermined idle.
 */
export function checkIdleAndStalls(input: {
  primary: PrimarySignals;
  /** Completions collapsed against the cluster's own baseline while callers keep starting: not idle either. */
  progressCollapsed: boolean;
}): ContextCheck & { quietButStalled: boolean } {
  const { primary } = input;
  const quiet = checkIdle(primary);
  const stalledQueues = primary.matching.stalled_task_queues;
  if (quiet.value && ((stalledQueues !== null && stalledQueues > 0) || input.progressCollapsed)) {
    return { value: false, undetermined: false, quietButStalled: true };
  }
  return { ...quiet, quietButStalled: false };
}

/**
 * System-busy: throughput below 5 st/s while deletions ≥ 5/s or cleanup deletes ≥ 1/s. Needs throughput and at
 * least one of the two system-operation rates; an absent rate is taken as not triggering.
 */
export function checkSystemBusy(primary: PrimarySignals): ContextCheck {
  const throughput = primary.state_transitions.throughput_per_sec;
  const { deletion_rate_per_sec: deletion, cleanup_delete_rate_per_sec: cleanup } = primary.system_operations;
  if (throughput !== null && throughput >= SYSTEM_BUSY_LIMITS.throughputBelowPerSec) {
    return { value: false, undetermined: false };
  }
  if (throughput === null || (deletion === null && cleanup === null)) return { value: false, undetermined: true };
  const deleting =
    (deletion !== null && deletion >= SYSTEM_BUSY_LIMITS.deletionAtLeastPerSec) ||
    (cleanup !== null && cleanup >= SYSTEM_BUSY_LIMITS.cleanupAtLeastPerSec);
  return { value: deleting, undetermined: false };
}

/** The core signals: when all are null the copilot is blind. */
export function coreSignals(primary: PrimarySignals): (number | null)[] {
  return [
    primary.state_transitions.throughput_per_sec,
    primary.history.task_processing_rate_per_sec,
    primary.history.backlog_age_sec,
    primary.persistence.error_rate_per_sec,
  ];
}
