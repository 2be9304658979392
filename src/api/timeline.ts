import { type } from 'arktype';
import { listDecisionPoints, MAX_PAGE_SIZE, stateBuckets } from '../db/index.ts';
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

/**
 * What a cursor carries: the page position, the range it pages through (`s`, `e`, epoch ms) and the rest of the query
 * (`q`), so it cannot be replayed on another. The range travels inside because an omitted `end` means "now", which
 * is a different instant on every page.
 */
const Cursor = type({
  q: 'string',
  s: 'number.integer >= 0',
  e: 'number.integer >= 0',
  'c?': 'string > 0',
  'b?': 'number.integer',
});
type Cursor = typeof Cursor.infer;
const CursorText = type('string.json.parse').to(Cursor);

function queryKey(input: { cluster: string; stepMs: number | null }): string {
  return `${input.cluster}|${input.stepMs ?? ''}`;
}

function encode(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

const badCursor = () => invalid('cursor: not a cursor this query returned', { cursor: ['invalid for this query'] });

function decode(text: string): Cursor | ApiResult {
  if (text.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(text)) return badCursor();
  const cursor = CursorText(Buffer.from(text, 'base64url').toString('utf8'));
  return cursor instanceof type.errors ? badCursor() : cursor;
}

/**
 * The bucket width actually used: the requested step, raised (in whole seconds) until the range holds at most `limit`
 * epoch-aligned buckets. A range of `r` ms cut into `step`-wide aligned buckets touches at most ceil(r / step) + 1 of
 * them, so step >= r / (limit - 1) keeps one page complete. Grafana rounds `$__interval` to a standard value that
 * can be well below range / maxDataPoints, and Infinity does not follow `next_cursor`: without this the oldest part
 * of a panel would be blank. With `limit=1` no step can promise that, and paging does the work.
 */
export function effectiveStepMs(input: { stepMs: number; rangeMs: number; limit: number }): number {
  if (input.limit < 2) return input.stepMs;
  const neededMs = Math.ceil(input.rangeMs / (input.limit - 1) / 1000) * 1000;
  return Math.max(input.stepMs, neededMs);
}

const TIMELINE_PARAMS: readonly string[] = ['cluster', 'start', 'end', 'step', 'limit', 'cursor'];

export const getTimeline: Handler = async (_req, ctx) => {
  const query = readQuery(ctx.url, TIMELINE_PARAMS);
  if (isResult(query)) return query;
  const picked = pickCluster(ctx, query);
  if (isResult(picked)) return picked;
  const cursorText = query.get('cursor');
  const cursor = cursorText === undefined ? null : decode(cursorText);
  if (isResult(cursor)) return cursor;
  // With a cursor, an omitted start or end is the one the first page resolved; a given one must agree with it.
  const endMs = readTime(query, 'end', cursor?.e ?? ctx.api.now());
  if (isResult(endMs)) return endMs;
  const startMs = readTime(query, 'start', cursor?.s ?? endMs - DEFAULT_RANGE_MS);
  if (isResult(startMs)) return startMs;
  if (startMs > endMs) return invalid('start must be at or before end', { start: ['after end'] });
  if (endMs - startMs > MAX_RANGE_MS) {
    return invalid('the range may span at most 31 days', { start: ['range longer than 31 days'] });
  }
  const requestedStepMs = readDuration(query, 'step');
  if (isResult(requestedStepMs)) return requestedStepMs;
  const limit = readInteger(query, { name: 'limit', fallback: MAX_PAGE_SIZE, min: 1, max: MAX_PAGE_SIZE });
  if (isResult(limit)) return limit;
  const stepMs =
    requestedStepMs === null ? null : effectiveStepMs({ stepMs: requestedStepMs, rangeMs: endMs - startMs, limit });
  const entry = picked.entry;
  const base = {
    cluster: entry?.name ?? null,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    step_sec: stepMs === null ? null : stepMs / 1000,
  };
  if (entry === null) return ok({ ...base, timeline: [], next_cursor: null } satisfies TimelineResponse);
  const key = queryKey({ cluster: entry.name, stepMs });
  if (cursor && (cursor.q !== key || cursor.s !== startMs || cursor.e !== endMs)) return badCursor();
  const at = { ctx, cluster: entry.name, startMs, endMs, limit, key };
  const page =
    stepMs === null
      ? await cyclePage({ ...at, after: cursor?.c ?? null })
      : await bucketPage({ ...at, stepMs, before: cursor?.b ?? null });
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
  const page = await listDecisionPoints(input.ctx.api.sql, {
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
  return {
    timeline,
    next_cursor: page.next_cursor
      ? encode({ q: input.key, s: input.startMs, e: input.endMs, c: page.next_cursor })
      : null,
  };
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
  return {
    timeline,
    next_cursor: more && last ? encode({ q: input.key, s: input.startMs, e: input.endMs, b: last.startMs }) : null,
  };
}
