import type postgres from 'postgres';
import type { Page, StoredAssessment } from '../models/index.ts';
import { AppError, Assessment, parseOrThrow } from '../models/index.ts';
import { checkLimit, decodeCursor, encodeCursor } from './cursor.ts';
import { checkRange, type RangeInput, touchCluster, type WriteOptions } from './cycles.ts';
import { toStoreError } from './errors.ts';
import { issueKey, settleOpenIssues } from './issues.ts';
import { inTransaction } from './retry.ts';
import { readJsonColumn, readString, toDate } from './rows.ts';

/**
 * DSQL allows 3,000 mutated rows and 10 MiB per transaction. An assessment is one transaction, so refuse one that
 * could not fit, leaving headroom for the issue updates and the cluster row.
 */
export const MAX_ASSESSMENT_ROWS = 2_000;
export const MAX_ASSESSMENT_BYTES = 8 * 1024 * 1024;

function plannedRows(assessment: Assessment): number {
  const actions = assessment.issues.reduce((sum, issue) => sum + issue.suggested_actions.length, 0);
  return 1 + assessment.issues.length + actions + assessment.recommended_actions.length;
}

function checkAssessment(assessment: Assessment): string {
  parseOrThrow(Assessment, assessment, 'assessment');
  if (
    assessment.decision.cluster !== assessment.cluster ||
    assessment.decision.health_state !== assessment.health_state
  ) {
    throw new AppError('INVALID_INPUT', 'assessment cluster and health_state must equal its decision', { status: 400 });
  }
  const text = JSON.stringify(assessment);
  const rows = plannedRows(assessment);
  // Each row carries its own JSON; the assessment row carries it all again, so count the text twice.
  if (rows > MAX_ASSESSMENT_ROWS || Buffer.byteLength(text) * 2 > MAX_ASSESSMENT_BYTES) {
    throw new AppError(
      'STORE_LIMIT',
      `assessment ${assessment.assessment_key} is too large for one transaction (${rows} rows, ${Buffer.byteLength(text)} bytes)`,
    );
  }
  return text;
}

/**
 * Store an assessment with its issues and suggested actions in one transaction, idempotent on `assessment_key`.
 * Older open issues of the cluster are resolved (rule no longer fires) or carried forward (see issues.ts).
 * @throws AppError INVALID_INPUT, STORE_LIMIT, STORE_CONFLICT, STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function writeAssessment(
  sql: postgres.Sql,
  assessment: Assessment,
  options: WriteOptions = {},
): Promise<{ inserted: boolean }> {
  const text = checkAssessment(assessment);
  const id = assessment.assessment_key;
  const at = toDate(assessment.at);
  return inTransaction({
    sql,
    what: `write assessment ${id}`,
    ...(options.retry ? { policy: options.retry } : {}),
    run: async (tx) => {
      const existing = await tx`SELECT id FROM assessments WHERE id = ${id}`;
      if (existing.length > 0) return { inserted: false };
      // An assessment written late (older than the newest stored one) must not reopen or close anything.
      const newer = await tx`SELECT id FROM assessments WHERE cluster = ${assessment.cluster} AND at > ${at}
        ORDER BY at DESC, id DESC LIMIT 1`;
      const newerId = newer[0] ? readString(newer[0]['id'], 'assessments.id') : null;
      const carried = newerId ? new Map<string, Date>() : await settleOpenIssues(tx, { assessment, at });
      const usage = assessment.model_usage ?? null;
      const modelIds = usage ? [usage.dispatcher_model, usage.researcher_model].filter((m) => m !== null) : [];
      await tx`INSERT INTO assessments (id, cluster, at, trigger, health_state, fingerprint, explainer, issue_count,
          rule_version, assessment_json, fallback_reason, model_ids, input_tokens, output_tokens, model_latency_ms,
          cost_usd)
        VALUES (${id}, ${assessment.cluster}, ${at}, ${assessment.trigger}, ${assessment.health_state},
          ${assessment.decision.fingerprint}, ${assessment.explainer}, ${assessment.issues.length},
          ${assessment.rule_version}, ${text}, ${assessment.fallback_reason ?? null},
          ${modelIds.length > 0 ? modelIds.join(',') : null}, ${usage ? Math.round(usage.input_tokens) : null},
          ${usage ? Math.round(usage.output_tokens) : null}, ${usage ? Math.round(usage.latency_ms) : null},
          ${usage ? usage.cost_usd : null})`;
      await insertChildren(tx, { assessment, at, carried, supersededBy: newerId });
      await touchCluster(tx, { cluster: assessment.cluster, at });
      return { inserted: true };
    },
  });
}

async function insertChildren(
  tx: postgres.TransactionSql,
  input: { assessment: Assessment; at: Date; carried: Map<string, Date>; supersededBy: string | null },
): Promise<void> {
  const { assessment, at } = input;
  const base = { assessment_id: assessment.assessment_key, cluster: assessment.cluster, at };
  const version = assessment.rule_version;
  const issues = assessment.issues.map((issue, position) => ({
    ...base,
    id: `${assessment.assessment_key}/i${position}`,
    position,
    issue_key: issueKey(issue),
    rule_id: issue.rule_id,
    severity: issue.severity,
    title: issue.title,
    issue_json: JSON.stringify(issue),
    rule_version: version,
    first_seen_at: input.carried.get(issueKey(issue)) ?? at,
    resolved_at: null,
    superseded_by: input.supersededBy,
  }));
  const actions = [
    ...assessment.issues.flatMap((issue, i) =>
      issue.suggested_actions.map((action, j) => ({
        action,
        id: `i${i}/a${j}`,
        issueId: `${base.assessment_id}/i${i}`,
      })),
    ),
    ...assessment.recommended_actions.map((action, j) => ({ action, id: `r${j}`, issueId: null })),
  ].map((entry, position) => ({
    ...base,
    id: `${base.assessment_id}/${entry.id}`,
    issue_id: entry.issueId,
    position,
    action_type: entry.action.action_type,
    target_service: entry.action.target_service,
    risk_level: entry.action.risk_level,
    action_json: JSON.stringify(entry.action),
    rule_version: version,
  }));
  // Multi-row inserts in chunks keep each statement's parameter count far below the protocol's 65,535.
  for (let i = 0; i < issues.length; i += 200) await tx`INSERT INTO issues ${tx(issues.slice(i, i + 200))}`;
  for (let i = 0; i < actions.length; i += 200)
    await tx`INSERT INTO suggested_actions ${tx(actions.slice(i, i + 200))}`;
}

/**
 * The newest assessment of a cluster, or null.
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function latestAssessment(sql: postgres.Sql, input: { cluster: string }): Promise<Assessment | null> {
  try {
    const rows = await sql`SELECT id, assessment_json FROM assessments WHERE cluster = ${input.cluster}
      ORDER BY at DESC, id DESC LIMIT 1`;
    const row = rows[0];
    if (!row) return null;
    return readJsonColumn({
      schema: Assessment,
      text: row['assessment_json'],
      what: `assessment ${String(row['id'])}`,
    });
  } catch (error) {
    throw toStoreError(error, `read latest assessment of ${input.cluster}`);
  }
}

/**
 * Whether the cluster already has an assessment with this decision fingerprint at or after `sinceMs` (dedup for
 * scheduled assessments).
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function hasEquivalentAssessment(
  sql: postgres.Sql,
  input: { cluster: string; fingerprint: string; sinceMs: number },
): Promise<boolean> {
  try {
    const rows = await sql`SELECT id FROM assessments
      WHERE cluster = ${input.cluster} AND fingerprint = ${input.fingerprint} AND at >= ${toDate(input.sinceMs)}
      LIMIT 1`;
    return rows.length > 0;
  } catch (error) {
    throw toStoreError(error, `look up equivalent assessment of ${input.cluster}`);
  }
}

/**
 * Fallbacks the explainer's cache remembers: a model's deterministic outcomes for a fingerprint (the dispatcher said
 * the rules suffice, the answer failed verification twice, or did not fit the schema). At temperature 0 the same
 * evidence gives a byte-identical request and the same answer, so asking again would pay for the same rejection. A
 * transient failure (timeout, throttling, an unreachable model, auth) is not remembered: the next trigger asks again.
 */
export const REMEMBERED_FALLBACKS = ['dispatcher_none', 'verification_failed', 'malformed_output'] as const;

/**
 * The explainer's cache (a hit means no model call): the newest assessment of a cluster with this fingerprint and
 * rule version that a model wrote, or that ended in a remembered fallback. Served by the (cluster, fingerprint, at)
 * index; re-uses (`cache`) never count, so an entry is an answer that passed verification or a remembered failure.
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function cachedModelAssessment(
  sql: postgres.Sql,
  input: { cluster: string; fingerprint: string; ruleVersion: string },
): Promise<Assessment | null> {
  try {
    const rows = await sql`SELECT id, assessment_json FROM assessments
      WHERE cluster = ${input.cluster} AND fingerprint = ${input.fingerprint} AND rule_version = ${input.ruleVersion}
        AND (explainer = 'model' OR (explainer = 'rules' AND fallback_reason IN ${sql(REMEMBERED_FALLBACKS)}))
      ORDER BY at DESC, id DESC LIMIT 1`;
    const row = rows[0];
    if (!row) return null;
    return readJsonColumn({
      schema: Assessment,
      text: row['assessment_json'],
      what: `assessment ${String(row['id'])}`,
    });
  } catch (error) {
    throw toStoreError(error, `look up a cached model assessment of ${input.cluster}`);
  }
}

/**
 * A cluster's assessments in [startMs, endMs], newest first, keyset-paged on (at, id).
 * @throws AppError INVALID_INPUT (bad range, limit or cursor), STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function listAssessments(sql: postgres.Sql, input: RangeInput): Promise<Page<StoredAssessment>> {
  checkRange(input);
  const limit = checkLimit(input.limit, 100);
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  try {
    const rows = await sql`SELECT id, assessment_json FROM assessments
      WHERE cluster = ${input.cluster} AND at >= ${toDate(input.startMs)} AND at <= ${toDate(input.endMs)}
      ${after ? sql`AND (at < ${after.at} OR (at = ${after.at} AND id < ${after.id}))` : sql``}
      ORDER BY at DESC, id DESC
      LIMIT ${limit + 1}`;
    const items = rows.slice(0, limit).map((row) => {
      const id = readString(row['id'], 'assessments.id');
      return {
        id,
        assessment: readJsonColumn({ schema: Assessment, text: row['assessment_json'], what: `assessment ${id}` }),
      };
    });
    const last = items.at(-1);
    return {
      items,
      next_cursor: rows.length > limit && last ? encodeCursor({ at: last.assessment.at, id: last.id }) : null,
    };
  } catch (error) {
    throw toStoreError(error, `list assessments of ${input.cluster}`);
  }
}
