import { continueAsNew, getExternalWorkflowHandle, log, sleep, workflowInfo } from '@temporalio/workflow';
import type { LogPattern, LogWatcherInput } from '../models/index.ts';
import { storage, upstream } from './activity-proxies.ts';
import { newLogPatternSignal } from './definitions.ts';
import { longRunningWorkflowId } from './ids.ts';
import { nextSlotDelayMs, slotOf } from './slots.ts';

export const DEFAULT_LOG_INTERVAL_MS = 30_000;
const DEFAULT_LOG_CYCLE_CAP = 200;

/** `signature@service` of every pattern seen in a window. */
export function signaturesOf(patterns: readonly LogPattern[]): string[] {
  return [...new Set(patterns.filter((p) => p.count > 0).map((p) => `${p.signature_id}@${p.service}`))].sort();
}

/** Signatures in `current` that were not in `previous`; none when there is no previous window to compare with. */
export function newSignatures(previous: readonly string[] | null, current: readonly string[]): string[] {
  if (previous === null) return [];
  const before = new Set(previous);
  return current.filter((signature) => !before.has(signature));
}

async function tellObserver(cluster: string, signatures: string[]): Promise<void> {
  try {
    await getExternalWorkflowHandle(longRunningWorkflowId('observe', cluster)).signal(newLogPatternSignal, {
      signatures,
      at: new Date(Date.now()).toISOString(),
    });
  } catch (error) {
    log.warn('observer not signalled (not running?)', { cluster, error });
  }
}

/**
 * One per cluster with a Loki URL (`copilot-logs-<cluster>`): every interval count known log signatures over the
 * last window, store them, and signal the observer when a signature appears that the previous window did not have.
 */
export async function logWatcherWorkflow(input: LogWatcherInput): Promise<never> {
  const { cluster } = input;
  const intervalMs = input.intervalMs ?? DEFAULT_LOG_INTERVAL_MS;
  const cycleCap = input.cycleCap ?? DEFAULT_LOG_CYCLE_CAP;
  let previous = input.carried?.previousSignatures ?? null;
  let cyclesTotal = input.carried?.cyclesTotal ?? 0;
  for (let cycle = 0; ; cycle += 1) {
    const slotMs = slotOf(Date.now(), intervalMs);
    try {
      const patterns = await upstream.countLogPatterns({ cluster, startMs: slotMs - intervalMs, endMs: slotMs });
      await storage.writeLogPatterns({ cluster: cluster.name, windowKey: `${cluster.name}:${slotMs}`, patterns });
      const current = signaturesOf(patterns);
      const fresh = newSignatures(previous, current);
      if (fresh.length > 0) await tellObserver(cluster.name, fresh);
      previous = current;
    } catch (error) {
      log.warn('log window skipped', { cluster: cluster.name, slotMs, error });
    }
    cyclesTotal += 1;
    await sleep(nextSlotDelayMs(Date.now(), intervalMs));
    if (cycle + 1 >= cycleCap || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof logWatcherWorkflow>({
        ...input,
        carried: { previousSignatures: previous, cyclesTotal },
      });
    }
  }
}
