import { type } from 'arktype';
import type postgres from 'postgres';
import { type ApiOptions, createApi } from '../../src/api/index.ts';
import { writeAssessment, writeCycle, writeLogPatterns } from '../../src/db/index.ts';
import {
  ActionsNotImplemented,
  ApiError,
  AssessmentResponse,
  ClustersResponse,
  HealthzResponse,
  IssuesResponse,
  ReadyzResponse,
  ServicesResponse,
  SignalsResponse,
  StatusResponse,
  SummaryResponse,
  TimelineResponse,
} from '../../src/models/index.ts';
import { assessment, decision, engineState, issue, pattern, snapshot, T0 } from '../db/fixtures.ts';

export { T0 };

/** A rule id that fires in the seeded critical cycle, on a signal the snapshot carries. */
export const BACKLOG_RULE = 'critical.history.backlog_age';

type Validator = (data: unknown) => unknown;

/** The schema every successful response of a route must match (the route template is the key). */
export const SCHEMA_OF_ROUTE: Readonly<Record<string, Validator>> = {
  '/status': StatusResponse,
  '/status/services': ServicesResponse,
  '/status/issues': IssuesResponse,
  '/status/summary': SummaryResponse,
  '/status/signals': SignalsResponse,
  '/status/timeline': TimelineResponse,
  '/clusters': ClustersResponse,
  '/assessments/:id': AssessmentResponse,
  '/healthz': HealthzResponse,
  '/readyz': ReadyzResponse,
};

/** Validate with the shared ArkType schema and return the typed value; throws with ArkType's summary. */
export function shape<T>(schema: (data: unknown) => T | type.errors, data: unknown): T {
  const out = schema(data);
  if (out instanceof type.errors) throw new Error(`response does not match its schema: ${out.summary}`);
  return out;
}

export const apiError = (data: unknown) => shape(ApiError, data);
export const notImplemented = (data: unknown) => shape(ActionsNotImplemented, data);

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text for non-JSON bodies, null without a body. */
  body: unknown;
  text: string;
}

export async function call(
  api: { fetch(req: Request): Response | Promise<Response> },
  path: string,
  init: RequestInit = {},
): Promise<Reply> {
  const res = await api.fetch(new Request(`http://test${path}`, init));
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json') && text.length > 0;
  return { status: res.status, headers: res.headers, body: json ? (JSON.parse(text) as unknown) : text || null, text };
}

export function testApi(sql: postgres.Sql, options: Partial<ApiOptions> = {}) {
  return createApi({ sql, staleAfterMs: 120_000, now: () => T0, log: () => {}, ...options });
}

/** A cycle whose decision names `firing` rules on the history backlog signal. */
export function firingCycle(input: {
  cluster: string;
  atMs: number;
  state: 'happy' | 'stressed' | 'critical' | 'unknown';
  firing?: string[];
}) {
  return {
    cluster: input.cluster,
    cycleKey: String(input.atMs),
    snapshot: snapshot(input),
    decision: decision({ ...input, firing: input.firing ?? [] }),
    engineState: engineState(input.state),
  };
}

/**
 * alpha: happy, then critical with the backlog rule firing, an assessment with one issue, and a log pattern.
 * beta: one happy cycle, nothing else.
 */
export async function seedTwoClusters(sql: postgres.Sql): Promise<{ assessmentId: string }> {
  await writeCycle(sql, firingCycle({ cluster: 'alpha', atMs: T0 - 60_000, state: 'happy' }));
  await writeCycle(
    sql,
    firingCycle({ cluster: 'alpha', atMs: T0 - 30_000, state: 'critical', firing: [BACKLOG_RULE] }),
  );
  const assessmentId = 'assess-alpha-1';
  await writeAssessment(
    sql,
    assessment({ cluster: 'alpha', key: assessmentId, atMs: T0 - 30_000, issues: [issue({ ruleId: BACKLOG_RULE })] }),
  );
  await writeLogPatterns(sql, {
    cluster: 'alpha',
    windowKey: 'w1',
    patterns: [pattern({ signature: 'shard-ownership-lost', startMs: T0 - 90_000, endMs: T0 - 30_000 })],
  });
  await writeCycle(sql, firingCycle({ cluster: 'beta', atMs: T0 - 10_000, state: 'happy' }));
  return { assessmentId };
}
