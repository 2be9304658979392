import type { Handler, RequestContext } from './context.ts';
import { gzipRepresentation, VARY_ENCODING } from './encoding.ts';
import { type ApiResult, etagOf, failure, invalid, ok, readyResponses, SECURITY_HEADERS } from './http.ts';
import { isResult, type Query, readChoice, readInteger, readQuery } from './query.ts';
import { type ClusterEntry, MAX_CACHED_ISSUES } from './status-cache.ts';
import {
  freshnessOf,
  servicesView,
  signalRows,
  statusView,
  summaryView,
  type ViewInput,
  viewSameThroughMs,
} from './status-view.ts';

/** The `/status*` routes: served from the in-memory cache, never from a store round trip. */

const MAX_CLUSTER_NAME = 200;

/**
 * The cluster a request means: the `cluster` parameter, else the default (the first configured, else the first
 * stored by name), else none at all (`entry: null`, which the views show as `unknown`).
 */
export function pickCluster(ctx: RequestContext, query: Query): { entry: ClusterEntry | null } | ApiResult {
  const cache = ctx.api.cache;
  const name = query.get('cluster');
  const notLoaded = () =>
    failure({ status: 503, code: 'STORE_UNAVAILABLE', message: 'the state store has not answered yet' });
  if (name !== undefined) {
    if (name.length === 0 || name.length > MAX_CLUSTER_NAME) {
      return invalid(`cluster: expected a name of 1 to ${MAX_CLUSTER_NAME} characters`, { cluster: ['bad length'] });
    }
    const entry = cache.get(name);
    if (entry) return { entry };
    if (!cache.loaded()) return notLoaded();
    const known = cache.clusters().map((c) => c.name);
    return failure({
      status: 404,
      code: 'NOT_FOUND',
      message: `unknown cluster; known: ${known.length > 0 ? known.slice(0, 20).join(', ') : 'none yet'}`,
    });
  }
  const first = cache.clusters()[0] ?? null;
  if (first === null && !cache.loaded()) return notLoaded();
  return { entry: first };
}

function viewInput(ctx: RequestContext, entry: ClusterEntry | null): ViewInput {
  return {
    entry,
    nowMs: ctx.api.now(),
    staleAfterMs: ctx.api.staleAfterMs,
    storeReachable: ctx.api.cache.health().reachable,
  };
}

/** 200 while the store answers; 503 with the same (stale-marked) body when it does not. */
function statusResult(input: ViewInput, body: unknown): ApiResult {
  return input.storeReachable ? ok(body) : { status: 503, body };
}

function route(allowed: readonly string[], build: (input: ViewInput, query: Query) => unknown | ApiResult): Handler {
  const names = ['cluster', ...allowed];
  return (_req, ctx) => {
    const query = readQuery(ctx.url, names);
    if (isResult(query)) return query;
    const picked = pickCluster(ctx, query);
    if (isResult(picked)) return picked;
    const input = viewInput(ctx, picked.entry);
    const body = build(input, query);
    return isResult(body) ? body : statusResult(input, body);
  };
}

interface PreparedStatus {
  storeReachable: boolean;
  /** The body is the one `statusView` gives at any instant in [fromMs, throughMs] (epoch ms). */
  fromMs: number;
  throughMs: number;
  text: NonNullable<ApiResult['text']>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const STATUS_PARAMS: readonly string[] = ['cluster'];

/**
 * `/status` bodies, serialized, compressed and hashed once per cache entry: the cache swaps in a new entry object
 * when a cluster's rows change (and keeps it across polls when they do not), and within one entry the body changes only with the store's reachability and at the time
 * boundaries `viewSameThroughMs` names (staleness, the log-pattern window). This keeps the busiest route at the cost
 * of a lookup and two comparisons instead of a 24 KB JSON.stringify, gzip and SHA-256 per request (bench/api.ts).
 */
const preparedStatus = new WeakMap<ClusterEntry, PreparedStatus>();

function prepareStatus(input: ViewInput): PreparedStatus {
  const bytes = new TextEncoder().encode(JSON.stringify(statusView(input)));
  const etag = etagOf(bytes);
  // `Vary` names Origin as the no-Origin CORS headers do, and Accept-Encoding for the two representations.
  const plain = { ...SECURITY_HEADERS, Vary: VARY_ENCODING, 'Content-Type': JSON_TYPE, ETag: etag };
  return {
    storeReachable: input.storeReachable,
    fromMs: input.nowMs,
    throughMs: viewSameThroughMs(input),
    text: {
      body: bytes,
      contentType: JSON_TYPE,
      etag,
      ready: readyResponses(bytes, new Headers(plain)),
      gzip: gzipRepresentation({ body: bytes, headers: plain }),
    },
  };
}

/** `GET /status`: the body of `statusView`, built only when the entry, the store's health or its time span change. */
export const getStatus: Handler = (_req, ctx) => {
  const query = readQuery(ctx.url, STATUS_PARAMS);
  if (isResult(query)) return query;
  const picked = pickCluster(ctx, query);
  if (isResult(picked)) return picked;
  const input = viewInput(ctx, picked.entry);
  if (input.entry === null) return statusResult(input, statusView(input));
  let prepared = preparedStatus.get(input.entry);
  const reusable =
    prepared?.storeReachable === input.storeReachable &&
    prepared.fromMs <= input.nowMs &&
    input.nowMs <= prepared.throughMs;
  if (!prepared || !reusable) {
    prepared = prepareStatus(input);
    preparedStatus.set(input.entry, prepared);
  }
  return input.storeReachable
    ? { status: 200, body: null, conditional: true, text: prepared.text }
    : { status: 503, body: null, text: prepared.text };
};
export const getServices = route([], (input) => servicesView(input));
export const getSummary = route([], (input) => summaryView(input));

const SEVERITIES = ['warning', 'critical'] as const;

export const getIssues = route(['severity', 'limit'], (input, query) => {
  const severity = readChoice(query, 'severity', SEVERITIES);
  if (isResult(severity)) return severity;
  const limit = readInteger(query, { name: 'limit', fallback: 10, min: 1, max: MAX_CACHED_ISSUES });
  if (isResult(limit)) return limit;
  const issues = (input.entry?.activeIssues ?? []).filter((i) => severity === null || i.severity === severity);
  return { ...freshnessOf(input), issues: issues.slice(0, limit) };
});

const TIERS = ['primary', 'amplifier', 'worker', 'worker_amplifier'] as const;
const CLASSES = ['normal', 'elevated', 'high', 'critical', 'unclassified', 'no_data'] as const;

export const getSignals = route(['tier', 'classification'], (input, query) => {
  const tier = readChoice(query, 'tier', TIERS);
  if (isResult(tier)) return tier;
  const classification = readChoice(query, 'classification', CLASSES);
  if (isResult(classification)) return classification;
  const rows = signalRows(input.entry).filter(
    (row) => (tier === null || row.tier === tier) && (classification === null || row.classification === classification),
  );
  return { ...freshnessOf(input), signals: rows };
});
