import { Context } from '@temporalio/activity';
import type { WorkerMetricsSink } from '../models/index.ts';
import { isAppError } from '../models/index.ts';
import { toActivityFailure } from './failures.ts';

/** What every activity body needs from the deps to run: its heartbeat cadence and where to record failures. */
export interface RunDeps {
  /** How often long activities heartbeat. @default 5000 */
  heartbeatEveryMs?: number;
  metrics: WorkerMetricsSink;
}

/** The code a failure is counted under: ours, else `OTHER` (the sink bounds it again). */
export function failureCode(error: unknown): string {
  return isAppError(error) ? error.code : 'OTHER';
}

/**
 * Run `work` under the caller's signal AND a deadline; `onDeadline` decides what a missed deadline becomes (a
 * cancellation by Temporal stays a cancellation).
 */
export async function withDeadline<T>(input: {
  signal: AbortSignal;
  budgetMs: number;
  work: (signal: AbortSignal) => Promise<T>;
  onDeadline: () => T;
}): Promise<T> {
  const deadline = AbortSignal.timeout(input.budgetMs);
  try {
    return await input.work(AbortSignal.any([input.signal, deadline]));
  } catch (error) {
    if (deadline.aborted && !input.signal.aborted) return input.onDeadline();
    throw error;
  }
}

/** Inside an activity: heartbeat while `work` runs (so a lost worker is noticed), and map errors at the edge. */
export async function guarded<T>(
  deps: { heartbeatEveryMs?: number | undefined },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), deps.heartbeatEveryMs ?? 5000);
  try {
    return await work(context.cancellationSignal);
  } catch (error) {
    throw toActivityFailure(error);
  } finally {
    clearInterval(timer);
  }
}

/**
 * A guarded activity that reads or writes the store: a failure is counted as a store error of `operation` (the
 * activity's name, a bounded label) before it leaves; a cancellation by Temporal is not a store error.
 */
export function guardedStore<T>(input: {
  deps: RunDeps;
  operation: string;
  work: (signal: AbortSignal) => Promise<T>;
}): Promise<T> {
  return guarded(input.deps, async (signal) => {
    try {
      return await input.work(signal);
    } catch (error) {
      if (!signal.aborted) input.deps.metrics.storeError({ operation: input.operation, code: failureCode(error) });
      throw error;
    }
  });
}

/** The sink used when the worker serves no metrics (tests, the CLI): every recording is dropped. */
export const NO_METRICS: WorkerMetricsSink = {
  cycleStored: () => {},
  queryFailed: () => {},
  assessmentWritten: () => {},
  explainerCall: () => {},
  storeError: () => {},
};
