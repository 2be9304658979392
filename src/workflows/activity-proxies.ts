import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CopilotActivities } from '../activities/index.ts';

/**
 * Activity options in one place. Every activity has a start-to-close timeout and a bounded retry policy (the
 * original had none, so one failing activity stalled its loop forever). Permanent errors arrive non-retryable from
 * the activity itself (see activities/failures.ts).
 */

/** Reads of the monitored cluster: short, few attempts; a miss costs one cycle, never the loop. */
export const upstream = proxyActivities<CopilotActivities>({
  startToCloseTimeout: '25 seconds',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 3 },
});

/** The engine step: pure and fast, a local activity so that its decision is recorded in history. */
export const engine = proxyLocalActivities<CopilotActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

/**
 * Store reads and writes: retried long (bounded at 10 minutes) so a store outage delays the cycle's write instead of
 * losing it; the writes are idempotent, so a retry after a lost reply is one row.
 */
export const storage = proxyActivities<CopilotActivities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '10 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 40 },
});

/** The explainer; callers also bound it with their own deadline and fall back to the rules. */
export function explainer(timeoutMs: number) {
  return proxyActivities<CopilotActivities>({
    startToCloseTimeout: timeoutMs,
    scheduleToCloseTimeout: timeoutMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 2 },
  });
}

/**
 * Maintenance (retention): one purge may delete many batches, so a long start-to-close guarded by a heartbeat per
 * batch; a store outage is retried a few times and otherwise waits for the next day's run.
 */
export const maintenance = proxyActivities<CopilotActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5 },
});
