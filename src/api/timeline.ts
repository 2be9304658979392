import { type } from 'arktype';
import { listDecisions, MAX_PAGE_SIZE, stateBuckets } from '../db/index.ts';
import type { TimelinePoint, TimelineResponse } from '../models/index.ts';
import type { Handler } from './context.ts';
import { type ApiResult, invalid, ok } from './http.ts';
import { isResult, readDuration, readInteger, readQuery, readTime } from './query.ts';
import { pickCluster } from './routes-status.ts';

/**
 * `GET /status/timeline?start&end[&step][&limit][&cursor]`: every cycle's decision, or with `step` the worst state
 * per step-wide bucket, newest first, paged by an opaque cursor. The range is bounded so that no request scans more
 * than a month of cycles.
 */

export const DEFAULT_RANGE_MS = 24 * 3_600_000;
export const MAX_RANGE_MS = 31 * 24 * 3_600_000;

/** What a cursor carries: the page position, and the query it belongs to, so it cannot be replayed on another. */
const Cursor = type({ q: 'string', 'c?': 'string > 0', 'b?': 'number.integer' });

function queryKey(input: { cluster: string; startMs: number; endMs: number; stepMs: number | null }): string {
  return `${input.cluster}|${input.startMs}|${input.endMs}|${input.stepMs ?? ''}`;
}

function encode(cursor: typeof Cursor.infer): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decode(text: string, key: string): typeof Cursor.infer | ApiResult {
  const bad = invalid('cursor: not a cursor this query returned', { cursor: ['invalid for this query'] });
  if (text.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(text)) return bad;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    return bad;
  }
  const cursor = Cursor(payload);
  return cursor instanceof type.errors || cursor.q !== key ? bad : cursor;
}

export const getTimeline: Handler = async (_req, ctx) => {
  const query = readQuery(ctx.url, ['cluster', 'start', 'end', 'step', 'limit', 'cursor']);
  if (isResult(query)) return query;
  const picked = pickCluster(ctx, query);
  if (isResult(picked)) return picked;
  const endMs = readTime(query, 'end', ctx.api.now());
  if (isResult(endMs)) return endMs;
  const startMs = readTime(query, 'start', endMs - DEFAULT_RANGE_MS);
  if (isResult(startMs)) return startMs;
  if (startMs > endMs) return invalid('start must be at or before end', { start: ['after end'] });
  if (endMs - startMs > MAX_RANGE_MS) {
    return invalid('the range may span at most 31 days', { start: ['range longer than 31 days'] });
  }
  const stepMs = readDuration(query, 'step');
  if (isResult(stepMs)) return stepMs;
  if (stepMs !== null && stepMs % 1000 !== 0) return invalid('step must be whole seconds', { step: ['fraction'] });
  const limit = readInteger(query, { name: 'limit', fallback: MAX_PAGE_SIZE, min: 1, max: MAX_PAGE_SIZE });
  if (isResult(limit)) return limit;
  const entry = picked.entry;
  const base = {
    cluster: entry?.name ?? null,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    step_sec: stepMs === null ? null : stepMs / 1000,
  };
  if (entry === null) return ok({ ...base, timeline: [], next_cursor: null } satisfies TimelineResponse);
  const key = queryKey({ cluster: entry.name, startMs, endMs, stepMs });
  const cursorText = query.get('cursor');
  const cursor = cursorText === undefined ? null : decode(cursorText, key);
  if (isResult(cursor)) return cursor;
  const page =
    stepMs === null
      ? await cyclePage({ ctx, cluster: entry.name, startMs, endMs, limit, after: cursor?.c ?? null, key })
      : await bucketPage({ ctx, cluster: entry.name, startMs, endMs, stepMs, limit, before: cursor?.b ?? null, key });
  return ok({ ...base, ...page } satisfies TimelineResponse);
};

type Page = Pick<TimelineResponse, 'timeline' | 'next_cursor'>;

async function cyclePage(input: {
  ctx: Parameters<Handler>[1];
  cluster: string;
  startMs: number;
  endMs: number;
  limit: number;
  after: string | null;
  key: string;
}): Promise<Page> {
  const page = await listDecisions(input.ctx.api.sql, {
    cluster: input.cluster,
    startMs: input.startMs,
    endMs: input.endMs,
    limit: input.limit,
    cursor: input.after,
  });
  const timeline: TimelinePoint[] = page.items.map(({ decision }) => ({
    at: decision.at,
    health_state: decision.health_state,
    data_quality: decision.data_quality,
    scale_band: decision.scale_band,
    cycles: 1,
    firing: decision.firing.filter((f) => !f.suppressed).map((f) => f.rule_id),
  }));
  return { timeline, next_cursor: page.next_cursor ? encode({ q: input.key, c: page.next_cursor }) : null };
}

async function bucketPage(input: {
  ctx: Parameters<Handler>[1];
  cluster: string;
  startMs: number;
  endMs: number;
  stepMs: number;
  limit: number;
  before: number | null;
  key: string;
}): Promise<Page> {
  const { buckets, more } = await stateBuckets(input.ctx.api.sql, {
    cluster: input.cluster,
    startMs: input.startMs,
    endMs: input.endMs,
    stepMs: input.stepMs,
    limit: input.limit,
    beforeMs: input.before,
  });
  const timeline: TimelinePoint[] = buckets.map((bucket) => ({
    at: new Date(bucket.startMs).toISOString(),
    health_state: bucket.health_state,
    data_quality: bucket.data_quality,
    scale_band: null,
    cycles: bucket.cycles,
    firing: null,
  }));
  const last = buckets.at(-1);
  return { timeline, next_cursor: more && last ? encode({ q: input.key, b: last.startMs }) : null };
}
