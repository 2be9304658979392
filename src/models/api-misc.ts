import { type } from 'arktype';
import { Assessment } from './assessment.ts';
import { DataQuality, HealthState, ScaleBand } from './health.ts';
import { IsoTime } from './numbers.ts';
import { StoredAction, StoredIssue } from './store.ts';

/** Response shapes of the API routes that are not a cluster's current status (docs/api.md). */

/** One point of `GET /status/timeline`: one cycle, or with `step` the worst of one step-wide bucket. */
export const TimelinePoint = type({
  /** The cycle's time, or the bucket's start (buckets are aligned to the Unix epoch, like Prometheus steps). */
  at: IsoTime,
  health_state: HealthState,
  data_quality: DataQuality,
  scale_band: ScaleBand.or('null'),
  /** Cycles this point stands for (1 without `step`). */
  cycles: 'number.integer >= 1',
  /** Rule ids that fired (unsuppressed) in this cycle; null for a bucket, which does not aggregate them. */
  firing: 'string[] | null',
});
export type TimelinePoint = typeof TimelinePoint.infer;

export const TimelineResponse = type({
  cluster: 'string | null',
  start: IsoTime,
  end: IsoTime,
  step_sec: 'number.integer >= 1 | null',
  /** Newest first. */
  timeline: TimelinePoint.array(),
  /** Pass back as `cursor` (with the same start, end and step) for the next, older page; null on the last. */
  next_cursor: 'string | null',
});
export type TimelineResponse = typeof TimelineResponse.infer;

export const ClusterSummary = type({
  name: 'string > 0',
  /** Listed in COPILOT_CLUSTERS (it may have no stored cycle yet). */
  configured: 'boolean',
  first_seen_at: IsoTime.or('null'),
  last_seen_at: IsoTime.or('null'),
  health_state: HealthState,
  as_of: IsoTime.or('null'),
  stale: 'boolean',
});
export type ClusterSummary = typeof ClusterSummary.infer;

export const ClustersResponse = type({
  /** The cluster `/status*` routes use when no `cluster` parameter is given. */
  default_cluster: 'string | null',
  clusters: ClusterSummary.array(),
  store_reachable: 'boolean',
});
export type ClustersResponse = typeof ClustersResponse.infer;

/** `GET /assessments/:id`: the stored assessment with its issue rows (lifecycle included) and action rows. */
export const AssessmentResponse = type({
  id: 'string > 0',
  assessment: Assessment,
  issues: StoredIssue.array(),
  actions: StoredAction.array(),
});
export type AssessmentResponse = typeof AssessmentResponse.infer;

export const HealthzResponse = type({ status: "'ok'" });
export type HealthzResponse = typeof HealthzResponse.infer;

export const ReadyzResponse = type({
  ready: 'boolean',
  store: {
    reachable: 'boolean',
    last_success_at: IsoTime.or('null'),
    'error?': 'string',
  },
  clusters: type({ name: 'string > 0', fresh: 'boolean', as_of: IsoTime.or('null') }).array(),
  /** Why it is not ready; empty when ready. */
  reasons: 'string[]',
});
export type ReadyzResponse = typeof ReadyzResponse.infer;

/** `POST /actions` is 501 until remediation exists; the body says what the route will accept then. */
export const ActionsNotImplemented = type({
  error: { code: "'NOT_IMPLEMENTED'", message: 'string > 0' },
  would_accept: {
    method: "'POST'",
    content_type: "'application/json'",
    max_body_bytes: 'number.integer >= 1',
    body: 'Record<string, string>',
  },
});
export type ActionsNotImplemented = typeof ActionsNotImplemented.infer;
