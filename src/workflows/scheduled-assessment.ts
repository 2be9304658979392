import { continueAsNew, log, ParentClosePolicy, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { ScheduledAssessmentInput } from '../models/index.ts';
import { storage } from './activity-proxies.ts';
import { assessHealthWorkflow } from './assess-health.ts';
import { assessWorkflowId } from './ids.ts';
import { nextSlotDelayMs, slotOf } from './slots.ts';
import { windowEntryOf } from './window.ts';

export const DEFAULT_ASSESSMENT_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_DEDUP_WINDOW_MS = 4 * 60_000;
export const DEFAULT_MAX_CYCLE_AGE_MS = 3 * 60_000;
const DEFAULT_SCHEDULED_CYCLE_CAP = 100;

export type ScheduledOutcome = 'assessed' | 'duplicate' | 'no_current_decision';

/** One slot: explain the observer's CURRENT decision (the last stored cycle), unless an equivalent one exists. */
async function assessCurrent(input: ScheduledAssessmentInput, slotMs: number): Promise<ScheduledOutcome> {
  const cluster = input.cluster.name;
  const cycle = await storage.latestCycle({ cluster });
  const maxAgeMs = input.maxCycleAgeMs ?? DEFAULT_MAX_CYCLE_AGE_MS;
  // Never evaluate afresh from Happy (the original did, so it could never say Critical): no current decision, no
  // scheduled assessment; the observer being down shows in `copilot workflows list`, not as a made-up verdict.
  if (cycle === null || Date.now() - Date.parse(cycle.decision.at) > maxAgeMs) return 'no_current_decision';
  const sinceMs = Date.now() - (input.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS);
  const duplicate = await storage.hasEquivalentAssessment({
    cluster,
    fingerprint: cycle.decision.fingerprint,
    sinceMs,
  });
  if (duplicate) return 'duplicate';
  await startChild(assessHealthWorkflow, {
    workflowId: assessWorkflowId({ cluster, atMs: slotMs, scheduled: true }),
    parentClosePolicy: ParentClosePolicy.ABANDON,
    args: [
      {
        cluster,
        trigger: 'scheduled',
        decision: cycle.decision,
        snapshot: cycle.snapshot,
        window: [windowEntryOf(cycle.decision, cycle.snapshot)],
        hasLogs: input.cluster.loki_url !== undefined,
        ...(input.cluster.overrides ? { overrides: input.cluster.overrides } : {}),
        ...(input.explainTimeoutMs === undefined ? {} : { explainTimeoutMs: input.explainTimeoutMs }),
      },
    ],
  });
  return 'assessed';
}

/** One per cluster (`copilot-scheduled-<cluster>`): every interval (5 min), a deduplicated scheduled assessment. */
export async function scheduledAssessmentWorkflow(input: ScheduledAssessmentInput): Promise<never> {
  const intervalMs = input.intervalMs ?? DEFAULT_ASSESSMENT_INTERVAL_MS;
  const cycleCap = input.cycleCap ?? DEFAULT_SCHEDULED_CYCLE_CAP;
  let cyclesTotal = input.carried?.cyclesTotal ?? 0;
  for (let cycle = 0; ; cycle += 1) {
    await sleep(nextSlotDelayMs(Date.now(), intervalMs));
    const slotMs = slotOf(Date.now(), intervalMs);
    try {
      const outcome = await assessCurrent(input, slotMs);
      log.info('scheduled assessment slot', { cluster: input.cluster.name, slotMs, outcome });
    } catch (error) {
      log.warn('scheduled assessment slot failed', { cluster: input.cluster.name, slotMs, error });
    }
    cyclesTotal += 1;
    if (cycle + 1 >= cycleCap || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof scheduledAssessmentWorkflow>({ ...input, carried: { cyclesTotal } });
    }
  }
}
