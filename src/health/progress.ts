import type { PrimarySignals, ProgressBaseline, ProgressEvidence } from '../models/index.ts';

/**
 * Forward progress judged against the cluster's own recent normal and against its demand. Absolute floors
 * ("mid-scale is collapsed below 3 transitions/s") never see a stall that leaves a trickle of work: on a real dev
 * server a worker outage kept state transitions at the start rate (a start is itself a transition,
 * service/history/workflow/context.go) while not one workflow completed. Completions and starts tell them apart.
 */

/** Baseline time constant: the weight of a cycle is 1 - exp(-Δt / τ). About ten minutes of memory. */
export const BASELINE_TIME_CONSTANT_MS = 10 * 60_000;
/** A baseline judges nothing until it has learned this long (two minutes of normal cycles). */
export const BASELINE_READY_AFTER_MS = 2 * 60_000;
/** A gap longer than this (a stopped copilot, a long blind spell) starts the learning over. */
export const BASELINE_STALE_AFTER_MS = 30 * 60_000;
/** Completions below this fraction of the baseline while demand continues are a collapse. */
export const PROGRESS_COLLAPSE_FRACTION = 0.1;
/** Demand continues while starts stay at or above this fraction of the baseline's starts. */
export const DEMAND_CONTINUES_FRACTION = 0.5;
/** Below this many completions (and starts) per second a baseline says nothing: the cluster was not working. */
export const BASELINE_MIN_PER_SEC = 0.05;
/**
 * For learning only: a cycle whose completions fell below PROGRESS_COLLAPSE_FRACTION of the baseline while starts
 * kept at least this fraction of theirs looks stalled and teaches the baseline nothing (judging needs 0.5: this is
 * stricter so a half-hearted demand dip cannot slip a stall into the baseline).
 */
export const LEARN_DEMAND_FRACTION = 0.1;
/** Fewer successful completions per second than this is "nothing completes". */
export const NOTHING_COMPLETES_PER_SEC = 0.01;

/**
 * Workflows completed successfully per second. Failures are left out on purpose: more failures must never read as
 * more progress (completion_collapse judges them), so worsening any signal can only raise the gate level.
 */
export function completionsPerSec(primary: PrimarySignals): number | null {
  return primary.workflow_completion.success_per_sec;
}

function baselineReady(baseline: ProgressBaseline | null): baseline is ProgressBaseline {
  return (
    baseline !== null &&
    baseline.learned_ms >= BASELINE_READY_AFTER_MS &&
    baseline.completions_per_sec >= BASELINE_MIN_PER_SEC &&
    baseline.starts_per_sec >= BASELINE_MIN_PER_SEC
  );
}

/** The evidence the progress rules read, for this snapshot and the carried baseline (null: none learned). */
export function progressEvidence(input: {
  primary: PrimarySignals;
  baseline: ProgressBaseline | null;
}): ProgressEvidence {
  const { primary, baseline } = input;
  const completions = completionsPerSec(primary);
  const starts = primary.demand.workflow_starts_per_sec;
  const ready = baselineReady(baseline);
  const demand: ProgressEvidence['demand'] =
    starts === null
      ? 'unknown'
      : starts < NOTHING_COMPLETES_PER_SEC
        ? 'none'
        : !ready || starts >= DEMAND_CONTINUES_FRACTION * baseline.starts_per_sec
          ? 'continuing'
          : 'falling';
  return {
    completions_per_sec: completions,
    baseline_completions_per_sec: baseline?.completions_per_sec ?? null,
    completions_fraction_of_baseline: ready && completions !== null ? completions / baseline.completions_per_sec : null,
    starts_per_sec: starts,
    baseline_starts_per_sec: baseline?.starts_per_sec ?? null,
    demand,
    backlog_tasks: primary.matching.backlog_tasks,
    backlog_growth_per_sec: primary.matching.backlog_growth_per_sec,
    stalled_task_queues: primary.matching.stalled_task_queues,
    baseline_ready: ready,
    demand_dropped: ready && starts !== null && starts < DEMAND_CONTINUES_FRACTION * baseline.starts_per_sec,
    baseline,
  };
}

/**
 * Whether this cycle looks stalled against the baseline, ready or not: completions collapsed while some demand
 * remains, or work waits on a queue no poll takes while nothing completes. Such a cycle never teaches the baseline,
 * whatever the rules decided (a dip in starts, a warm-up or a reset after a long stall must not let a stall in).
 */
export function looksStalled(input: { primary: PrimarySignals; baseline: ProgressBaseline | null }): boolean {
  const { primary, baseline } = input;
  const completions = completionsPerSec(primary);
  const starts = primary.demand.workflow_starts_per_sec;
  const stalledQueues = primary.matching.stalled_task_queues;
  if (stalledQueues !== null && stalledQueues > 0 && completions !== null && completions < NOTHING_COMPLETES_PER_SEC) {
    return true;
  }
  if (baseline === null || completions === null || starts === null) return false;
  if (baseline.completions_per_sec < BASELINE_MIN_PER_SEC || baseline.starts_per_sec < BASELINE_MIN_PER_SEC)
    return false;
  return (
    completions < PROGRESS_COLLAPSE_FRACTION * baseline.completions_per_sec &&
    starts >= LEARN_DEMAND_FRACTION * baseline.starts_per_sec
  );
}

/** True when the evidence is a collapse the progress stall judges: a ready baseline, demand continuing, < 10 %. */
export function progressCollapsed(progress: ProgressEvidence): boolean {
  const fraction = progress.completions_fraction_of_baseline;
  return (
    progress.baseline_ready &&
    progress.demand === 'continuing' &&
    fraction !== null &&
    fraction < PROGRESS_COLLAPSE_FRACTION
  );
}

/**
 * Fold this cycle into the baseline, unless the cycle is stalled (a stall must not become the normal) or its inputs
 * are unknown. Pure: time comes from the snapshot. A gap longer than BASELINE_STALE_AFTER_MS starts over.
 */
export function updateBaseline(input: {
  baseline: ProgressBaseline | null;
  primary: PrimarySignals;
  atMs: number;
  stalled: boolean;
}): ProgressBaseline | null {
  const { baseline, primary, atMs } = input;
  const completions = completionsPerSec(primary);
  const starts = primary.demand.workflow_starts_per_sec;
  if (input.stalled || completions === null || starts === null) return baseline;
  const at = new Date(atMs).toISOString();
  const sinceMs = baseline === null ? Number.POSITIVE_INFINITY : atMs - Date.parse(baseline.updated_at);
  if (baseline === null || sinceMs > BASELINE_STALE_AFTER_MS || sinceMs < 0) {
    return { completions_per_sec: completions, starts_per_sec: starts, updated_at: at, learned_ms: 0 };
  }
  const weight = 1 - Math.exp(-sinceMs / BASELINE_TIME_CONSTANT_MS);
  const blend = (old: number, now: number) => old + weight * (now - old);
  return {
    completions_per_sec: blend(baseline.completions_per_sec, completions),
    starts_per_sec: blend(baseline.starts_per_sec, starts),
    updated_at: at,
    learned_ms: Math.min(baseline.learned_ms + Math.round(sinceMs), BASELINE_STALE_AFTER_MS),
  };
}
