import { actionsOfAssessment, assessmentById, issuesOfAssessment } from '../db/index.ts';
import type {
  ActionsNotImplemented,
  AssessmentResponse,
  ClustersResponse,
  HealthState,
  ReadyzResponse,
} from '../models/index.ts';
import { EXPOSITION_CONTENT_TYPE } from '../models/index.ts';
import type { ApiContext, Handler } from './context.ts';
import { failure, invalid, ok } from './http.ts';
import { exposition } from './metrics.ts';
import { isResult, NO_PARAMS, readQuery } from './query.ts';
import type { ClusterEntry } from './status-cache.ts';
import { freshnessOf, shownState } from './status-view.ts';

/** Routes other than a cluster's status: the cluster list, one assessment, actions, probes and metrics. */

function stateOf(api: ApiContext, entry: ClusterEntry | null): HealthState {
  return shownState({ entry, nowMs: api.now(), staleAfterMs: api.staleAfterMs, storeReachable: true });
}

export const getClusters: Handler = async (_req, ctx) => {
  const query = readQuery(ctx.url, NO_PARAMS);
  if (isResult(query)) return query;
  const { api } = ctx;
  const health = api.cache.health();
  if (!api.cache.loaded()) {
    return failure({ status: 503, code: 'STORE_UNAVAILABLE', message: 'the state store has not answered yet' });
  }
  const entries = api.cache.clusters();
  const body: ClustersResponse = {
    default_cluster: entries[0]?.name ?? null,
    clusters: entries.map((entry) => {
      const fresh = freshnessOf({ entry, nowMs: api.now(), staleAfterMs: api.staleAfterMs, storeReachable: true });
      return {
        name: entry.name,
        configured: entry.configured,
        first_seen_at: entry.keys?.first_seen_at ?? null,
        last_seen_at: entry.keys?.last_seen_at ?? null,
        health_state: stateOf(api, entry),
        as_of: fresh.as_of,
        stale: fresh.stale || !health.reachable,
      };
    }),
    store_reachable: health.reachable,
  };
  return health.reachable ? ok(body) : { status: 503, body };
};

const MAX_ID_LENGTH = 512;

export const getAssessment: Handler = async (_req, ctx) => {
  const query = readQuery(ctx.url, NO_PARAMS);
  if (isResult(query)) return query;
  const id = ctx.params['id'] ?? '';
  if (id.length === 0 || id.length > MAX_ID_LENGTH) {
    return invalid(`id: expected 1 to ${MAX_ID_LENGTH} characters`, { id: ['bad length'] });
  }
  const sql = ctx.api.sql;
  const assessment = await assessmentById(sql, { id });
  if (!assessment) return failure({ status: 404, code: 'NOT_FOUND', message: 'no assessment has this id' });
  const [issues, actions] = await Promise.all([
    issuesOfAssessment(sql, { assessmentId: id }),
    actionsOfAssessment(sql, { assessmentId: id }),
  ]);
  return ok({ id, assessment, issues, actions } satisfies AssessmentResponse);
};

/** Remediation does not exist yet; the 501 says what this route will accept, so clients can be written against it. */
export function actionsNotImplemented(maxBodyBytes: number): ActionsNotImplemented {
  return {
    error: {
      code: 'NOT_IMPLEMENTED',
      message: 'the copilot suggests actions but does not perform them yet; nothing was done',
    },
    would_accept: {
      method: 'POST',
      content_type: 'application/json',
      max_body_bytes: maxBodyBytes,
      body: {
        assessment_id: 'string: the assessment whose action to run (GET /assessments/:id)',
        action_id: 'string: the id of one of its actions',
        dry_run: 'boolean: describe the change without making it',
      },
    },
  };
}

export const postActions: Handler = async (_req, ctx) => {
  const query = readQuery(ctx.url, NO_PARAMS);
  if (isResult(query)) return query;
  return { status: 501, body: actionsNotImplemented(ctx.api.maxBodyBytes) };
};

export const getHealthz: Handler = async () => ok({ status: 'ok' }, false);

export const getReadyz: Handler = async (_req, ctx) => {
  const { api } = ctx;
  const health = api.cache.health();
  const clusters = api.cache.clusters().map((entry) => {
    const fresh = freshnessOf({ entry, nowMs: api.now(), staleAfterMs: api.staleAfterMs, storeReachable: true });
    return { name: entry.name, fresh: !fresh.stale, as_of: fresh.as_of };
  });
  const reasons = [
    ...(health.reachable ? [] : [`state store unreachable (${health.lastError ?? 'not polled yet'})`]),
    ...(clusters.length === 0 && health.reachable ? ['no cluster has written an observation cycle yet'] : []),
    ...clusters.filter((c) => !c.fresh).map((c) => `cluster ${c.name}: no observation cycle stored recently`),
  ];
  const body: ReadyzResponse = {
    ready: reasons.length === 0,
    store: {
      reachable: health.reachable,
      last_success_at: health.lastSuccessMs === null ? null : new Date(health.lastSuccessMs).toISOString(),
      ...(health.lastError ? { error: health.lastError } : {}),
    },
    clusters,
    reasons,
  };
  return { status: body.ready ? 200 : 503, body };
};

export const getMetrics: Handler = async (_req, ctx) => {
  const query = readQuery(ctx.url, NO_PARAMS);
  if (isResult(query)) return query;
  const { api } = ctx;
  const body = exposition({
    cache: api.cache,
    metrics: api.metrics,
    nowMs: api.now(),
    staleAfterMs: api.staleAfterMs,
    stateOf: (name) => stateOf(api, api.cache.get(name)),
  });
  return { status: 200, body: null, text: { body, contentType: EXPOSITION_CONTENT_TYPE } };
};
