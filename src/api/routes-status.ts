import type { Handler, RequestContext } from './context.ts';
import { NO_ORIGIN_CORS } from './guards.ts';
import { type ApiResult, etagOf, failure, invalid, ok, SECURITY_HEADERS } from './http.ts';
import { isResult, type Query, readChoice, readInteger, readQuery } from './query.ts';
import { type ClusterEntry, LOG_PATTERN_WINDOW_MS, MAX_CACHED_ISSUES } from './status-cache.ts';
import {
  freshnessOf,
  servicesView,
  shownState,
  signalRows,
  staleReasonOf,
  statusView,
  summaryView,
  type ViewInput,
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
  return async (_req, ctx) => {
    const query = readQuery(ctx.url, ['cluster', ...allowed]);
    if (isResult(query)) return query;
    const picked = pickCluster(ctx, query);
    if (isResult(picked)) return picked;
    const input = viewInput(ctx, picked.entry);
    const body = build(input, query);
    return isResult(body) ? body : statusResult(input, body);
  };
}

interface PreparedStatus {
  staleReason: string | null;
  shown: string;
  patterns: number;
  storeReachable: boolean;
  /** The body as UTF-8, encoded once: Bun would otherwise encode the 24 KB string on every response. */
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
  /** Its full response headers for a request without `Origin`. */
  headers: Headers;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `/status` bodies, serialized and hashed once per cache entry: the cache swaps in a new entry object whenever it
 * polls, and within one entry the body changes only with staleness, the shown state and the log-pattern window, all in
 * the key. The shown state is keyed on its own: during a store outage the reason stays `store_unavailable` however old
 * the cycle gets and no poll swaps the entry, so the reason alone would serve the decided state forever. This
 * keeps the busiest route at the cost of a lookup instead of a 24 KB JSON.stringify and SHA-256 per request
 * (bench/api.ts).
 */
const preparedStatus = new WeakMap<ClusterEntry, PreparedStatus>();

/** `GET /status`: the body of `statusView`, built only when its key changes. */
export const getStatus: Handler = async (_req, ctx) => {
  const query = readQuery(ctx.url, ['cluster']);
  if (isResult(query)) return query;
  const picked = pickCluster(ctx, query);
  if (isResult(picked)) return picked;
  const input = viewInput(ctx, picked.entry);
  if (input.entry === null) return statusResult(input, statusView(input));
  const staleReason = staleReasonOf(input);
  const shown = shownState(input);
  const windowStartMs = input.nowMs - LOG_PATTERN_WINDOW_MS;
  const patterns = input.entry.logPatterns.filter((p) => Date.parse(p.window_end) >= windowStartMs).length;
  let prepared = preparedStatus.get(input.entry);
  const reusable =
    prepared?.staleReason === staleReason &&
    prepared.shown === shown &&
    prepared.patterns === patterns &&
    prepared.storeReachable === input.storeReachable;
  if (!prepared || !reusable) {
    const bytes = new TextEncoder().encode(JSON.stringify(statusView(input)));
    const etag = await etagOf(bytes);
    const headers = new Headers({ ...SECURITY_HEADERS, ...NO_ORIGIN_CORS, 'Content-Type': JSON_TYPE, ETag: etag });
    prepared = { staleReason, shown, patterns, storeReachable: input.storeReachable, bytes, etag, headers };
    preparedStatus.set(input.entry, prepared);
  }
  const text = { body: prepared.bytes, contentType: JSON_TYPE, etag: prepared.etag, headers: prepared.headers };
  return input.storeReachable
    ? { status: 200, body: null, conditional: true, text }
    : { status: 503, body: null, text };
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
