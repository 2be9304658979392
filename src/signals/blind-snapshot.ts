import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import type { ClusterConfig, SignalsSnapshot } from '../models/index.ts';
import { SIGNAL_CATALOG } from '../signals/catalog.ts';
import type { QueryOutcome } from '../signals/snapshot.ts';
import { assembleSnapshot } from '../signals/snapshot.ts';

// One placeholder query stands in for every catalog input, so every measurable signal resolves to the same failure.
const BLIND_QUERY = 'blind';

/**
 * The snapshot of a cycle whose observation failed as a whole: every measurable value null with reason
 * `query_failed` and `code` as its detail (not-measurable signals keep their own reason), so the engine says
 * `unknown` instead of the loop keeping the last state. Pure and deterministic: safe inside workflow code.
 */
export function blindSnapshot(input: { cluster: ClusterConfig; atMs: number; code: string }): SignalsSnapshot {
  const failed: QueryOutcome = { kind: 'failed', code: input.code };
  return assembleSnapshot({
    cluster: input.cluster.name,
    atMs: input.atMs,
    style: input.cluster.metric_style ?? 'otel',
    queries: SIGNAL_CATALOG.map(() => ({ inputs: { value: BLIND_QUERY } })),
    outcomes: new Map([[BLIND_QUERY, failed]]),
  });
}

/** A short code for why an activity failed: our error code when it carried one, else the kind of failure. */
export function failureCodeOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  if (cause instanceof TimeoutFailure) return `ACTIVITY_TIMEOUT_${cause.timeoutType}`;
  return 'ACTIVITY_FAILED';
}
