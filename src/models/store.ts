import { type } from 'arktype';
import { Assessment, Issue, SuggestedAction } from './assessment.ts';
import { Decision, EngineState, RuleFinding } from './health.ts';
import { IsoTime } from './numbers.ts';
import { SignalsSnapshot } from './signals.ts';

/** A monitored cluster as the store knows it: first and last cycle written for it. */
export const StoredCluster = type({
  name: 'string > 0',
  first_seen_at: IsoTime,
  last_seen_at: IsoTime,
});
export type StoredCluster = typeof StoredCluster.infer;

/** The last observation cycle: what the observer reconciles from after a restart. */
export const StoredCycle = type({
  snapshot: SignalsSnapshot,
  decision: Decision,
  engineState: EngineState,
});
export type StoredCycle = typeof StoredCycle.infer;

/** One entry of the decision timeline (every cycle), newest first. */
export const TimelineDecision = type({
  id: 'string > 0',
  cycle_key: 'string > 0',
  at: IsoTime,
  decision: Decision,
});
export type TimelineDecision = typeof TimelineDecision.infer;

/**
 * What a timeline point reads of a stored decision. A page of 500 cycles validates only these fields: the whole
 * `Decision` (services, evidence, baseline) cost most of a timeline page and is checked when it is written.
 */
export const DecisionPointFields = Decision.pick('at', 'health_state', 'data_quality', 'scale_band').and({
  firing: RuleFinding.pick('rule_id', 'suppressed').array(),
});
export type DecisionPointFields = typeof DecisionPointFields.infer;

/** One entry of the decision timeline with only the fields a timeline point shows, newest first. */
export const TimelineDecisionPoint = TimelineDecision.omit('decision').and({ decision: DecisionPointFields });
export type TimelineDecisionPoint = typeof TimelineDecisionPoint.infer;

/** A stored assessment with its row id (equal to `assessment_key`). */
export const StoredAssessment = type({
  id: 'string > 0',
  assessment: Assessment,
});
export type StoredAssessment = typeof StoredAssessment.infer;

/** An issue row: the issue plus where it came from and its lifecycle. */
export const StoredIssue = Issue.and({
  id: 'string > 0',
  assessment_id: 'string > 0',
  cluster: 'string > 0',
  /** When the assessment that raised this row was made. */
  at: IsoTime,
  /** When the same rule first raised an issue that is still open (carried across assessments). */
  first_seen_at: IsoTime,
  /** Set when a later assessment no longer has this rule firing. */
  resolved_at: IsoTime.or('null'),
  rule_version: 'string > 0',
});
export type StoredIssue = typeof StoredIssue.infer;

export const StoredAction = SuggestedAction.and({
  id: 'string > 0',
  assessment_id: 'string > 0',
  issue_id: 'string | null',
});
export type StoredAction = typeof StoredAction.infer;

/** One page of a keyset-paged listing; pass `next_cursor` back as `cursor` for the next (older) page. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** What a retention purge deleted (or, on a dry run, would delete), per table. */
export const PurgeReport = type({
  cutoff: IsoTime,
  dry_run: 'boolean',
  tables: type({ table: 'string > 0', rows: 'number.integer >= 0', batches: 'number.integer >= 0' }).array(),
});
export type PurgeReport = typeof PurgeReport.infer;

/** Where the copilot's own state lives: plain Postgres, Aurora DSQL with IAM tokens, or the embedded PGlite. */
export type StoreConfig =
  | { kind: 'postgres'; url: string }
  | { kind: 'dsql'; endpoint: string; region: string; user: string }
  | { kind: 'embedded'; dataDir: string; port: number };
