import { continueAsNew, log, sleep, workflowInfo } from '@temporalio/workflow';
import type { RetentionInput } from '../models/index.ts';
import { maintenance } from './activity-proxies.ts';
import { failureCodeOf } from './failures.ts';

/** @default daily */
export const DEFAULT_RETENTION_INTERVAL_MS = 86_400_000;
/** Purges per run before continue-as-new (a purge is a handful of events, so a month is tiny). */
export const DEFAULT_RETENTION_CYCLE_CAP = 30;
const DAY_MS = 86_400_000;

/**
 * Keep the store to `retentionDays`: purge older rows now, then once per interval. A failed purge (after its
 * retries) is logged and retried at the next interval; the rows are still there, nothing is lost.
 */
export async function retentionWorkflow(input: RetentionInput): Promise<never> {
  const intervalMs = input.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
  const cycleCap = input.cycleCap ?? DEFAULT_RETENTION_CYCLE_CAP;
  let runsTotal = input.carried?.runsTotal ?? 0;
  for (let cycle = 0; ; cycle += 1) {
    const cutoffMs = Date.now() - input.retentionDays * DAY_MS;
    try {
      const report = await maintenance.purgeExpired({ cutoffMs });
      log.info('retention purge done', { cutoff: report.cutoff, tables: report.tables });
    } catch (error) {
      log.error('retention purge failed; next attempt at the next interval', { code: failureCodeOf(error), error });
    }
    runsTotal += 1;
    await sleep(intervalMs);
    if (cycle + 1 >= cycleCap || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof retentionWorkflow>({ ...input, carried: { runsTotal } });
    }
  }
}
