import type { PrimarySignals } from '../../src/models/index.ts';
import { zeroPrimary } from './fixtures.ts';

export const T0 = Date.parse('2026-12-01T09:00:00.000Z');

/** A busy mid-scale cluster whose work is progressing. */
export function working(input: { completions: number; starts: number }): PrimarySignals {
  const primary = zeroPrimary();
  primary.state_transitions.throughput_per_sec = 100;
  primary.history.task_processing_rate_per_sec = 100;
  primary.workflow_completion.success_per_sec = input.completions;
  primary.demand.workflow_starts_per_sec = input.starts;
  return primary;
}

/** The same cluster with its workers gone: starts go on, each a transition; nothing completes; tasks pile up. */
export function workersGone(input: { starts: number; backlog: number }): PrimarySignals {
  const primary = working({ completions: 0, starts: input.starts });
  primary.state_transitions.throughput_per_sec = input.starts;
  primary.matching.backlog_tasks = input.backlog;
  primary.matching.backlog_growth_per_sec = input.starts;
  primary.matching.stalled_task_queues = 2;
  return primary;
}
