import type postgres from 'postgres';
import type { Page, StoredCluster, StoredCycle, TimelineDecision, TimelineDecisionPoint } from '../models/index.ts';
import {
  AppError,
  Decision,
  DecisionPointFields,
  EngineState,
  fillAbsentSignals,
  parseOrThrow,
  SignalsSnapshot,
} from '../models/index.ts';
import { checkLimit, decodeCursor, encodeCursor } from './cursor.ts';
import { toStoreError } from './errors.ts';
import { inTransaction, type RetryPolicy } from './retry.ts';
import { readJsonColumn, readNumber, readString, toDate, toIso, type Validator } from './rows.ts';

export interface WriteCycleInput {
  cluster: string;
  /** Idempotency key of the observation cycle (e.g. the cycle's scheduled epoch ms); unique per cluster. */
  cycleKey: string;
  snapshot: SignalsSnapshot;
  decision: Decision;
  engineState: EngineState;
}

/** Options every write accepts; tests shorten or instrument the OCC retry here. */
export interface WriteOptions {
  retry?: Partial<RetryPolicy>;
}

/** Row id of a cycle: deterministic, so the same cycle written twice is one row. */
export function cycleId(cluster: string, cycleKey: string): string {
  return `${cluster}/${cycleKey}`;
}

function checkCycle(input: WriteCycleInput): void {
  if (input.cycleKey.length === 0) throw new AppError('INVALID_INPUT', 'cycleKey must not be empty', { status: 400 });
  parseOrThrow(SignalsSnapshot, input.snapshot, 'signals snapshot');
  parseOrThrow(Decision, input.decision, 'decision');
  parseOrThrow(EngineState, input.engineState, 'engine state');
  if (input.snapshot.cluster !== input.cluster || input.decision.cluster !== input.cluster) {
    throw new AppError('INVALID_INPUT', `cycle for ${input.cluster} carries data for another cluster`, { status: 400 });
  }
}

/** Insert the cluster or widen its first/last seen window. One row. */
export async function touchCluster(tx: postgres.TransactionSql, input: { cluster: string; at: Date }): Promise<void> {
  const rows = await tx`SELECT name FROM clusters WHERE name = ${input.cluster}`;
  if (rows.length === 0) {
    await tx`INSERT INTO clusters (name, first_seen_at, last_seen_at) VALUES (${input.cluster}, ${input.at}, ${input.at})`;
    return;
  }
  // Writes may arrive out of order (retries, backfills): widen the window, never narrow it.
  await tx`UPDATE clusters
    SET first_seen_at = least(first_seen_at, ${input.at}), last_seen_at = greatest(last_seen_at, ${input.at})
    WHERE name = ${input.cluster} AND (first_seen_at > ${input.at} OR last_seen_at < ${input.at})`;
}

/**
 * Store one observation cycle (snapshot + decision + engine state) atomically: three rows, well under DSQL's limits.
 * Idempotent on (cluster, cycleKey): a second write of the same cycle inserts nothing and returns `inserted: false`.
 * @throws AppError INVALID_INPUT, STORE_CONFLICT, STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function writeCycle(
  sql: postgres.Sql,
  input: WriteCycleInput,
  options: WriteOptions = {},
): Promise<{ inserted: boolean }> {
  checkCycle(input);
  const id = cycleId(input.cluster, input.cycleKey);
  const at = toDate(input.decision.at);
  const { decision, engineState, snapshot } = input;
  return inTransaction({
    sql,
    what: `write cycle ${id}`,
    ...(options.retry ? { policy: options.retry } : {}),
    run: async (tx) => {
      const existing = await tx`SELECT id FROM decisions WHERE id = ${id}`;
      if (existing.length > 0) return { inserted: false };
      await tx`INSERT INTO signal_snapshots (id, cluster, cycle_key, at, metric_style, missing_count, snapshot_json)
        VALUES (${id}, ${input.cluster}, ${input.cycleKey}, ${toDate(snapshot.at)}, ${snapshot.metric_style},
          ${snapshot.missing.length}, ${JSON.stringify(snapshot)})`;
      await tx`INSERT INTO decisions (id, cluster, cycle_key, at, health_state, previous_state, last_known_state,
          consecutive_critical, scale_band, data_quality, fingerprint, rule_version, decision_json)
        VALUES (${id}, ${input.cluster}, ${input.cycleKey}, ${at}, ${engineState.health_state},
          ${decision.previous_state}, ${engineState.last_known_state}, ${engineState.consecutive_critical},
          ${engineState.scale_band}, ${decision.data_quality}, ${decision.fingerprint}, ${decision.rule_version},
          ${JSON.stringify(decision)})`;
      await touchCluster(tx, { cluster: input.cluster, at });
      return { inserted: true };
    },
  });
}

/**
 * The newest cycle of a cluster, or null. The engine state comes from the row's columns so the observer can
 * reconcile after a restart.
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function latestCycle(sql: postgres.Sql, input: { cluster: string }): Promise<StoredCycle | null> {
  try {
    const rows = await sql`SELECT d.id, d.health_state, d.last_known_state, d.consecutive_critical, d.scale_band,
        d.decision_json, s.snapshot_json
      FROM decisions d JOIN signal_snapshots s ON s.id = d.id
      WHERE d.cluster = ${input.cluster}
      ORDER BY d.at DESC, d.id DESC
      LIMIT 1`;
    const row = rows[0];
    if (!row) return null;
    const id = readString(row['id'], 'decisions.id');
    const decision = readJsonColumn({ schema: Decision, text: row['decision_json'], what: `decision ${id}` });
    return {
      // A snapshot written before a signal existed reads that signal as no data, not as a broken row.
      snapshot: readJsonColumn({
        schema: SignalsSnapshot,
        text: row['snapshot_json'],
        what: `snapshot ${id}`,
        upgrade: fillAbsentSignals,
      }),
      decision,
      engineState: parseOrThrow(
        EngineState,
        {
          health_state: row['health_state'],
          last_known_state: row['last_known_state'],
          consecutive_critical: readNumber(row['consecutive_critical'], 'decisions.consecutive_critical'),
          scale_band: row['scale_band'],
          // The baseline the engine judged this cycle with (carried in the decision's evidence): a restarted observer
          // resumes it instead of relearning, which would let it learn a stall in progress.
          progress_baseline: decision.progress?.baseline ?? null,
        },
        `engine state ${id}`,
      ),
    };
  } catch (error) {
    throw toStoreError(error, `read latest cycle of ${input.cluster}`);
  }
}

export interface RangeInput {
  cluster: string;
  startMs: number;
  endMs: number;
  /** @default 100, at most 500 */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string | null;
}

export function checkRange(input: RangeInput): void {
  if (!(Number.isFinite(input.startMs) && Number.isFinite(input.endMs)) || input.startMs > input.endMs) {
    throw new AppError('INVALID_INPUT', 'range start must be a time at or before end', { status: 400 });
  }
}

/**
 * Every decision (one per cycle) of a cluster in [startMs, endMs], newest first, keyset-paged on (at, id).
 * @throws AppError INVALID_INPUT (bad range, limit or cursor), STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function listDecisions(sql: postgres.Sql, input: RangeInput): Promise<Page<TimelineDecision>> {
  return decisionPage(sql, input, Decision);
}

/**
 * `listDecisions` reading only the fields a timeline point shows (`DecisionPointFields`), for the API's timeline.
 * @throws AppError INVALID_INPUT (bad range, limit or cursor), STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function listDecisionPoints(sql: postgres.Sql, input: RangeInput): Promise<Page<TimelineDecisionPoint>> {
  return decisionPage(sql, input, DecisionPointFields);
}

async function decisionPage<T>(
  sql: postgres.Sql,
  input: RangeInput,
  schema: Validator<T>,
): Promise<Page<{ id: string; cycle_key: string; at: string; decision: T }>> {
  checkRange(input);
  const limit = checkLimit(input.limit, 100);
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  try {
    const rows = await sql`SELECT id, cycle_key, at, decision_json FROM decisions
      WHERE cluster = ${input.cluster} AND at >= ${toDate(input.startMs)} AND at <= ${toDate(input.endMs)}
      ${after ? sql`AND (at < ${after.at} OR (at = ${after.at} AND id < ${after.id}))` : sql``}
      ORDER BY at DESC, id DESC
      LIMIT ${limit + 1}`;
    const items = rows.slice(0, limit).map((row) => {
      const id = readString(row['id'], 'decisions.id');
      return {
        id,
        cycle_key: readString(row['cycle_key'], 'decisions.cycle_key'),
        at: toIso(row['at'], 'decisions.at'),
        decision: readJsonColumn({ schema, text: row['decision_json'], what: `decision ${id}` }),
      };
    });
    const last = items.at(-1);
    return { items, next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
  } catch (error) {
    throw toStoreError(error, `list decisions of ${input.cluster}`);
  }
}

/**
 * Every cluster the store has seen, by name.
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function listClusters(sql: postgres.Sql): Promise<StoredCluster[]> {
  try {
    const rows = await sql`SELECT name, first_seen_at, last_seen_at FROM clusters ORDER BY name`;
    return rows.map((row) => ({
      name: readString(row['name'], 'clusters.name'),
      first_seen_at: toIso(row['first_seen_at'], 'clusters.first_seen_at'),
      last_seen_at: toIso(row['last_seen_at'], 'clusters.last_seen_at'),
    }));
  } catch (error) {
    throw toStoreError(error, 'list clusters');
  }
}
