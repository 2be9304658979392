import type postgres from 'postgres';
import type { Assessment, DataQuality, HealthState } from '../models/index.ts';
import { AppError, Assessment as AssessmentType } from '../models/index.ts';
import { checkLimit } from './cursor.ts';
import { checkRange } from './cycles.ts';
import { toStoreError } from './errors.ts';
import { readJsonColumn, readNumber, readString, toDate, toIso, toIsoOrNull } from './rows.ts';

/** Reads the API needs beyond the repository's: a cheap change poll, one assessment by id, state buckets. */

/** What changed for one cluster since the last poll: the newest row of every table the API serves. */
export interface ClusterKeys {
  cluster: string;
  first_seen_at: string;
  last_seen_at: string;
  decision_id: string | null;
  assessment_id: string | null;
  log_window_end: string | null;
  open_issues: number;
}

/**
 * One statement that says, per cluster, which rows are newest. Every subquery is an index lookup (decisions and
 * assessments on (cluster, at, id), log patterns on (cluster, window_end), issues on the open-issue index), so polling
 * it every few seconds costs little; DSQL has no LISTEN/NOTIFY to push changes instead.
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function latestKeys(sql: postgres.Sql): Promise<ClusterKeys[]> {
  try {
    const rows = await sql`SELECT c.name, c.first_seen_at, c.last_seen_at,
        (SELECT d.id FROM decisions d WHERE d.cluster = c.name ORDER BY d.at DESC, d.id DESC LIMIT 1) AS decision_id,
        (SELECT a.id FROM assessments a WHERE a.cluster = c.name ORDER BY a.at DESC, a.id DESC LIMIT 1) AS assessment_id,
        (SELECT max(l.window_end) FROM log_patterns l WHERE l.cluster = c.name) AS log_window_end,
        (SELECT count(*) FROM issues i
          WHERE i.cluster = c.name AND i.resolved_at IS NULL AND i.superseded_by IS NULL) AS open_issues
      FROM clusters c ORDER BY c.name`;
    return rows.map((row) => ({
      cluster: readString(row['name'], 'clusters.name'),
      first_seen_at: toIso(row['first_seen_at'], 'clusters.first_seen_at'),
      last_seen_at: toIso(row['last_seen_at'], 'clusters.last_seen_at'),
      decision_id: row['decision_id'] === null ? null : readString(row['decision_id'], 'decisions.id'),
      assessment_id: row['assessment_id'] === null ? null : readString(row['assessment_id'], 'assessments.id'),
      log_window_end: toIsoOrNull(row['log_window_end'], 'log_patterns.window_end'),
      open_issues: readNumber(row['open_issues'], 'issues count'),
    }));
  } catch (error) {
    throw toStoreError(error, 'poll the newest rows of every cluster');
  }
}

/**
 * One assessment by its id (its `assessment_key`), or null.
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function assessmentById(sql: postgres.Sql, input: { id: string }): Promise<Assessment | null> {
  try {
    const rows = await sql`SELECT id, assessment_json FROM assessments WHERE id = ${input.id}`;
    const row = rows[0];
    if (!row) return null;
    return readJsonColumn({ schema: AssessmentType, text: row['assessment_json'], what: `assessment ${input.id}` });
  } catch (error) {
    throw toStoreError(error, `read assessment ${input.id}`);
  }
}

/** One step-wide bucket of decisions: how many cycles, and the worst state and data quality among them. */
export interface StateBucket {
  /** Bucket start, epoch ms, aligned to the Unix epoch. */
  startMs: number;
  cycles: number;
  health_state: HealthState;
  data_quality: DataQuality;
}

/** Severity order for "worst": a blind cycle outranks a happy one, but not one the rules judged stressed. */
const STATE_BY_RANK: readonly HealthState[] = ['happy', 'unknown', 'stressed', 'critical'];
const QUALITY_BY_RANK: readonly DataQuality[] = ['complete', 'partial', 'blind'];

function byRank<T>(ranks: readonly T[], value: unknown, column: string): T {
  const found = ranks[readNumber(value, column)];
  if (found === undefined) throw new AppError('STORE_SCHEMA', `${column}: unexpected rank ${String(value)}`);
  return found;
}

/**
 * A cluster's decisions in [startMs, endMs] grouped into `stepMs` buckets, newest bucket first, at most `limit`
 * buckets starting before `beforeMs` (the previous page's oldest bucket). Aggregated in SQL, on the columns only, so a
 * month of 30-second cycles costs one indexed scan and no JSON parsing.
 * @throws AppError INVALID_INPUT (range, step, limit), STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function stateBuckets(
  sql: postgres.Sql,
  input: { cluster: string; startMs: number; endMs: number; stepMs: number; limit: number; beforeMs: number | null },
): Promise<{ buckets: StateBucket[]; more: boolean }> {
  checkRange(input);
  const limit = checkLimit(input.limit, 100);
  if (!Number.isInteger(input.stepMs) || input.stepMs < 1000) {
    throw new AppError('INVALID_INPUT', 'step must be a whole number of seconds, at least 1', { status: 400 });
  }
  try {
    const rows = await sql`SELECT floor(extract(epoch FROM at) * 1000 / ${input.stepMs}) AS bucket,
        count(*) AS cycles,
        max(CASE health_state WHEN 'critical' THEN 3 WHEN 'stressed' THEN 2 WHEN 'unknown' THEN 1 ELSE 0 END) AS state,
        max(CASE data_quality WHEN 'blind' THEN 2 WHEN 'partial' THEN 1 ELSE 0 END) AS quality
      FROM decisions
      WHERE cluster = ${input.cluster} AND at >= ${toDate(input.startMs)} AND at <= ${toDate(input.endMs)}
      ${input.beforeMs === null ? sql`` : sql`AND at < ${toDate(input.beforeMs)}`}
      GROUP BY 1 ORDER BY 1 DESC
      LIMIT ${limit + 1}`;
    const buckets = rows.slice(0, limit).map((row) => ({
      startMs: readNumber(row['bucket'], 'bucket') * input.stepMs,
      cycles: readNumber(row['cycles'], 'cycles'),
      health_state: byRank(STATE_BY_RANK, row['state'], 'state rank'),
      data_quality: byRank(QUALITY_BY_RANK, row['quality'], 'quality rank'),
    }));
    return { buckets, more: rows.length > limit };
  } catch (error) {
    throw toStoreError(error, `bucket decisions of ${input.cluster}`);
  }
}
