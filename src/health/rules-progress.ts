import { NOTHING_COMPLETES_PER_SEC, PROGRESS_COLLAPSE_FRACTION } from './progress.ts';
import type { Rule } from './rules.ts';

/** Paths of the values the progress rules read (see progress.ts and the decision's `progress`). */
const STALLED_QUEUES = 'primary.matching.stalled_task_queues';
const PROGRESS_FRACTION = 'progress.completions_fraction_of_baseline';

/** Critical gates that judge forward progress against the cluster's own baseline and its demand (progress.ts). */
export const PROGRESS_CRITICAL_RULES: readonly Rule[] = [
  // Completions collapsed against the cluster's own baseline while callers keep starting workflows: whatever the
  // band, and not excused by retention work (deletes do not stop user workflows from completing).
  {
    id: 'critical.progress_stall',
    kind: 'critical',
    signal: PROGRESS_FRACTION,
    comparison: 'below',
    read: (_p, progress) => progress.completions_fraction_of_baseline,
    threshold: () => PROGRESS_COLLAPSE_FRACTION,
    suppressedWhenBusy: false,
    demand: (_p, _t, progress) => {
      // No baseline yet: the rule cannot judge (dispatch_stall covers a cluster that never completed anything), and
      // that is not missing data: it must not keep a healthy cluster from being Happy.
      if (!progress.baseline_ready) return false;
      if (progress.demand === 'unknown') return null;
      return progress.demand === 'continuing';
    },
    demandSummary: 'a ready baseline and demand continuing (starts at or above half of the baseline starts)',
  },
  // Tasks wait on a queue no poll takes, the backlog keeps growing, and not one workflow completes: the workers are
  // gone or wedged. Needs no baseline, so it also sees a cluster whose workers were never there. A stuck queue whose
  // backlog does not grow (leftovers, or long-running workflows that legitimately complete nothing while an orphan
  // queue waits) is stressed.stalled_task_queue, not a page.
  {
    id: 'critical.dispatch_stall',
    kind: 'critical',
    signal: STALLED_QUEUES,
    comparison: 'above',
    read: (p) => p.matching.stalled_task_queues,
    threshold: () => 0,
    suppressedWhenBusy: false,
    demand: (_p, _t, progress) => {
      const completions = progress.completions_per_sec;
      const growth = progress.backlog_growth_per_sec;
      // Nothing stalled, or something completes: the rule cannot fire, whatever else is unknown.
      if (progress.stalled_task_queues === 0) return false;
      if (completions !== null && completions >= NOTHING_COMPLETES_PER_SEC) return false;
      if (growth !== null && growth <= 0) return false;
      if (completions === null || growth === null) return null;
      return true;
    },
    demandSummary: `fewer than ${NOTHING_COMPLETES_PER_SEC} completions/s and the application backlog growing`,
  },
];

/**
 * One queue nobody serves (its workers crashed, a deploy renamed it) while others progress: not Critical, but
 * never Happy — those callers wait forever.
 */
export const STALLED_QUEUE_RULE: Rule = {
  id: 'stressed.stalled_task_queue',
  kind: 'stressed',
  signal: STALLED_QUEUES,
  comparison: 'above',
  read: (p) => p.matching.stalled_task_queues,
  threshold: () => 0,
  suppressedWhenBusy: false,
};
