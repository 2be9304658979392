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
      if (progress.demand === 'unknown') return null;
      // No baseline yet: the rule cannot judge (dispatch_stall covers a cluster that never completed anything).
      if (!progress.baseline_ready) return false;
      return progress.demand === 'continuing';
    },
  },
  // Tasks wait on a queue no poll takes, callers keep adding work, and not one workflow completes: the workers are
  // gone or wedged. Needs no baseline, so it also sees a cluster whose workers were never there. Without new work
  // (no starts, the backlog not growing) a stuck queue is stressed.stalled_task_queue, not a page.
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
      if (completions === null) return null;
      if (completions >= NOTHING_COMPLETES_PER_SEC) return false;
      const growing = progress.backlog_growth_per_sec !== null && progress.backlog_growth_per_sec > 0;
      if (progress.demand === 'continuing' || growing) return true;
      return progress.demand === 'unknown' && progress.backlog_growth_per_sec === null ? null : false;
    },
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
