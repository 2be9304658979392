import type { ClusterConfig, SignalsSnapshot } from '../models/index.ts';
import { SIGNAL_CATALOG } from './catalog.ts';
import type { QueryOutcome } from './snapshot.ts';
import { assembleSnapshot } from './snapshot.ts';

// One placeholder query stands in for every catalog input, so every measurable signal resolves to the same failure.
const BLIND_QUERY = 'blind';

/**
 * The snapshot of a cycle whose observation failed as a whole: every measurable value null with reason
 * `query_failed` and `code` as its detail (not-measurable signals keep their own reason), so the engine says
 * `unknown` instead of the loop keeping the last state. Pure and deterministic; workflows get it from a local
 * activity, so the catalog never loads inside the sandbox.
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
