import type postgres from 'postgres';
import type { Assessment, IssueSeverity, StoredAction, StoredIssue } from '../models/index.ts';
import { AppError, Issue, SuggestedAction } from '../models/index.ts';
import { checkLimit } from './cursor.ts';
import type { WriteOptions } from './cycles.ts';
import { toStoreError } from './errors.ts';
import { inTransaction } from './retry.ts';
import { readJsonColumn, readString, toDate, toIso, toIsoOrNull } from './rows.ts';

/**
 * Issue lifecycle. Every assessment stores its own issue rows. When a newer assessment arrives, each older open issue
 * of the cluster is either carried forward (the same rule, or title when the issue has no rule, is still present:
 * the old row is marked `superseded_by` and the new row inherits `first_seen_at`) or resolved (`resolved_at`).
 * "Active issues" are rows neither resolved nor superseded.
 */

/** What identifies "the same issue" across assessments. */
export function issueKey(issue: Pick<Issue, 'rule_id' | 'title'>): string {
  return issue.rule_id ?? `title:${issue.title}`;
}

interface OpenIssue {
  id: string;
  key: string;
  firstSeenAt: Date;
}

export async function openIssues(
  tx: postgres.TransactionSql,
  input: { cluster: string; atOrBefore: Date },
): Promise<OpenIssue[]> {
  const rows = await tx`SELECT id, issue_key, first_seen_at FROM issues
    WHERE cluster = ${input.cluster} AND resolved_at IS NULL AND superseded_by IS NULL AND at <= ${input.atOrBefore}`;
  return rows.map((row) => ({
    id: readString(row['id'], 'issues.id'),
    key: readString(row['issue_key'], 'issues.issue_key'),
    firstSeenAt: new Date(toIso(row['first_seen_at'], 'issues.first_seen_at')),
  }));
}

/** Close or carry forward older open issues for a new assessment. Returns first_seen_at per carried key. */
export async function settleOpenIssues(
  tx: postgres.TransactionSql,
  input: { assessment: Assessment; at: Date },
): Promise<Map<string, Date>> {
  const { assessment } = input;
  const presentKeys = new Set(assessment.issues.map(issueKey));
  const firingRules = new Set(assessment.decision.firing.filter((f) => !f.suppressed).map((f) => f.rule_id));
  const open = await openIssues(tx, { cluster: assessment.cluster, atOrBefore: input.at });
  const carried = new Map<string, Date>();
  const superseded: string[] = [];
  const resolved: string[] = [];
  for (const issue of open) {
    if (presentKeys.has(issue.key)) {
      superseded.push(issue.id);
      const known = carried.get(issue.key);
      if (!known || issue.firstSeenAt < known) carried.set(issue.key, issue.firstSeenAt);
    } else if (!firingRules.has(issue.key)) {
      resolved.push(issue.id);
    }
  }
  if (superseded.length > 0) {
    await tx`UPDATE issues SET superseded_by = ${assessment.assessment_key} WHERE id IN ${tx(superseded)}`;
  }
  if (resolved.length > 0) await tx`UPDATE issues SET resolved_at = ${input.at} WHERE id IN ${tx(resolved)}`;
  return carried;
}

/**
 * Resolve a cluster's open issues whose rule no longer fires (for cycles that end without a new assessment).
 * Issues without a rule id are left to the next assessment.
 * @throws AppError STORE_CONFLICT, STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function resolveIssues(
  sql: postgres.Sql,
  input: { cluster: string; firingRuleIds: readonly string[]; atMs: number },
  options: WriteOptions = {},
): Promise<{ resolved: number }> {
  const at = toDate(input.atMs);
  const firing = new Set(input.firingRuleIds);
  return inTransaction({
    sql,
    what: `resolve issues of ${input.cluster}`,
    ...(options.retry ? { policy: options.retry } : {}),
    run: async (tx) => {
      const open = await openIssues(tx, { cluster: input.cluster, atOrBefore: at });
      const ids = open.filter((issue) => !issue.key.startsWith('title:') && !firing.has(issue.key)).map((i) => i.id);
      if (ids.length > 0) await tx`UPDATE issues SET resolved_at = ${at} WHERE id IN ${tx(ids)}`;
      return { resolved: ids.length };
    },
  });
}

function toStoredIssue(row: postgres.Row): StoredIssue {
  const id = readString(row['id'], 'issues.id');
  const issue = readJsonColumn({ schema: Issue, text: row['issue_json'], what: `issue ${id}` });
  return {
    ...issue,
    id,
    assessment_id: readString(row['assessment_id'], 'issues.assessment_id'),
    cluster: readString(row['cluster'], 'issues.cluster'),
    at: toIso(row['at'], 'issues.at'),
    first_seen_at: toIso(row['first_seen_at'], 'issues.first_seen_at'),
    resolved_at: toIsoOrNull(row['resolved_at'], 'issues.resolved_at'),
    rule_version: readString(row['rule_version'], 'issues.rule_version'),
  };
}

/**
 * A cluster's active issues (neither resolved nor superseded), critical first, then oldest first.
 * @throws AppError INVALID_INPUT (limit), STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function activeIssues(
  sql: postgres.Sql,
  input: { cluster: string; severity?: IssueSeverity; limit?: number },
): Promise<StoredIssue[]> {
  const limit = checkLimit(input.limit, 100);
  try {
    const rows = await sql`SELECT id, assessment_id, cluster, at, first_seen_at, resolved_at, rule_version, issue_json
      FROM issues
      WHERE cluster = ${input.cluster} AND resolved_at IS NULL AND superseded_by IS NULL
      ${input.severity ? sql`AND severity = ${input.severity}` : sql``}
      ORDER BY CASE severity WHEN 'critical' THEN 0 ELSE 1 END, first_seen_at, id
      LIMIT ${limit}`;
    return rows.map(toStoredIssue);
  } catch (error) {
    throw toStoreError(error, `list active issues of ${input.cluster}`);
  }
}

/**
 * The issues one assessment raised (resolved or not), in the assessment's order.
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function issuesOfAssessment(sql: postgres.Sql, input: { assessmentId: string }): Promise<StoredIssue[]> {
  try {
    const rows = await sql`SELECT id, assessment_id, cluster, at, first_seen_at, resolved_at, rule_version, issue_json
      FROM issues WHERE assessment_id = ${input.assessmentId} ORDER BY position`;
    return rows.map(toStoredIssue);
  } catch (error) {
    throw toStoreError(error, `list issues of assessment ${input.assessmentId}`);
  }
}

/**
 * The actions one assessment suggested: each issue's, then the recommended ones (`issue_id` null).
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function actionsOfAssessment(sql: postgres.Sql, input: { assessmentId: string }): Promise<StoredAction[]> {
  try {
    const rows = await sql`SELECT id, assessment_id, issue_id, action_json FROM suggested_actions
      WHERE assessment_id = ${input.assessmentId} ORDER BY position`;
    return rows.map((row) => {
      const id = readString(row['id'], 'suggested_actions.id');
      const issueId = row['issue_id'];
      if (issueId !== null && typeof issueId !== 'string') throw new AppError('STORE_SCHEMA', `action ${id}: issue_id`);
      return {
        ...readJsonColumn({ schema: SuggestedAction, text: row['action_json'], what: `action ${id}` }),
        id,
        assessment_id: readString(row['assessment_id'], 'suggested_actions.assessment_id'),
        issue_id: issueId,
      };
    });
  } catch (error) {
    throw toStoreError(error, `list actions of assessment ${input.assessmentId}`);
  }
}
