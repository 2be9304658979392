import { afterAll, describe, expect, test } from 'bun:test';
import { writeCycle } from '../../src/db/index.ts';
import { TimelineResponse } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { apiError, BACKLOG_RULE, call, firingCycle, shape, T0, testApi } from './helpers.ts';

const db = await openPostgres();
afterAll(() => db.close());

/** 25 cycles, 30 s apart, ending at T0: happy, but critical for cycles 10–12 and blind-ish unknown at 20. */
const CYCLES = 25;
const atOf = (i: number) => T0 - (CYCLES - 1 - i) * 30_000;
for (let i = 0; i < CYCLES; i++) {
  const state = i >= 10 && i <= 12 ? 'critical' : i === 20 ? 'unknown' : 'happy';
  await writeCycle(
    db.sql,
    firingCycle({ cluster: 'tl', atMs: atOf(i), state, ...(state === 'critical' ? { firing: [BACKLOG_RULE] } : {}) }),
  );
}
const api = testApi(db.sql);
await api.refresh();
const iso = (ms: number) => new Date(ms).toISOString();
const range = `start=${iso(T0 - 3_600_000)}&end=${iso(T0)}`;

async function page(query: string) {
  const reply = await call(api, `/status/timeline?${query}`);
  expect(reply.status).toBe(200);
  return shape(TimelineResponse, reply.body);
}

describe('/status/timeline', () => {
  test('every cycle, newest first, paged by cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: TimelineResponse = await page(`${range}&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.timeline.map((point) => point.at));
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: CYCLES }, (_, i) => iso(atOf(CYCLES - 1 - i))));
  });

  test('a cycle point names the rules that fired', async () => {
    const body = await page(`start=${iso(atOf(11))}&end=${iso(atOf(11))}`);
    expect(body.timeline).toEqual([
      {
        at: iso(atOf(11)),
        health_state: 'critical',
        data_quality: 'partial',
        scale_band: 'mid-scale',
        cycles: 1,
        firing: [BACKLOG_RULE],
      },
    ]);
  });

  test('with step, the worst state per epoch-aligned bucket, paged the same way', async () => {
    const all = await page(`${range}&step=5m`);
    const stepMs = 300_000;
    const expected = new Map<number, { states: string[]; cycles: number }>();
    for (let i = 0; i < CYCLES; i++) {
      const bucket = Math.floor(atOf(i) / stepMs) * stepMs;
      const state = i >= 10 && i <= 12 ? 'critical' : i === 20 ? 'unknown' : 'happy';
      const entry = expected.get(bucket) ?? { states: [], cycles: 0 };
      expected.set(bucket, { states: [...entry.states, state], cycles: entry.cycles + 1 });
    }
    const rank = ['happy', 'unknown', 'stressed', 'critical'];
    const want = [...expected.entries()]
      .sort(([a], [b]) => b - a)
      .map(([bucket, { states, cycles }]) => ({
        at: iso(bucket),
        cycles,
        health_state: states.reduce((w, s) => (rank.indexOf(s) > rank.indexOf(w) ? s : w), 'happy'),
      }));
    const got: { at: string; cycles: number; health_state: string }[] = all.timeline.map(
      ({ at, cycles, health_state }) => ({ at, cycles, health_state }),
    );
    expect(got).toEqual(want);
    expect(all.step_sec).toBe(300);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const body: TimelineResponse = await page(`${range}&step=5m&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...body.timeline.map((p) => p.at));
      cursor = body.next_cursor;
    } while (cursor !== null);
    expect(paged).toEqual(want.map((w) => w.at));
  });

  test.each([
    ['inverted range', `start=${iso(T0)}&end=${iso(T0 - 1000)}`],
    ['range over 31 days', `start=${iso(T0 - 32 * 86_400_000)}&end=${iso(T0)}`],
    ['malformed start', 'start=yesterday'],
    ['a time without zone', 'start=2024-01-15T12:00:00'],
    ['a time before 1970', 'start=0000-01-01T00:00:00Z'],
    ['an impossible date', 'start=2024-13-45T99:00:00Z'],
    ['step below a second', 'step=0s'],
    ['step with a bad unit', 'step=5y'],
    ['limit zero', 'limit=0'],
    ['limit over the page size', 'limit=501'],
    ['a garbage cursor', 'cursor=!!!'],
    ['a cursor of another query', `cursor=${Buffer.from('{"q":"other"}').toString('base64url')}`],
  ])('%s is a 400', async (_name, query) => {
    const reply = await call(api, `/status/timeline?${query}`);
    expect(reply.status).toBe(400);
    expect(apiError(reply.body).error.code).toBe('INVALID_INPUT');
  });

  test('a cursor from a step query is refused on a query without step', async () => {
    const first = await page(`${range}&step=5m&limit=1`);
    const reply = await call(api, `/status/timeline?${range}&cursor=${first.next_cursor}`);
    expect(reply.status).toBe(400);
  });

  test('defaults to the 24 hours before now', async () => {
    const body = await page('');
    expect([body.start, body.end]).toEqual([iso(T0 - 86_400_000), iso(T0)]);
    expect(body.timeline).toHaveLength(CYCLES);
  });

  test('paging without start or end keeps the range of the first page while the clock moves', async () => {
    let nowMs = T0;
    const moving = testApi(db.sql, { now: () => nowMs });
    await moving.refresh();
    const seen: string[] = [];
    const ranges = new Set<string>();
    let cursor: string | null = null;
    do {
      const reply = await call(moving, `/status/timeline?cluster=tl&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status).toBe(200);
      const body = shape(TimelineResponse, reply.body);
      seen.push(...body.timeline.map((point) => point.at));
      ranges.add(`${body.start}/${body.end}`);
      cursor = body.next_cursor;
      nowMs += 30_000;
    } while (cursor !== null);
    expect([...ranges]).toEqual([`${iso(T0 - 86_400_000)}/${iso(T0)}`]);
    expect(seen).toEqual(Array.from({ length: CYCLES }, (_, i) => iso(atOf(CYCLES - 1 - i))));
  });

  test('a cursor with an explicit start or end that disagrees with its range is a 400', async () => {
    const first = await page(`${range}&limit=10`);
    const moved = `start=${iso(T0 - 3_600_000)}&end=${iso(T0 + 1_000)}`;
    const reply = await call(api, `/status/timeline?${moved}&limit=10&cursor=${first.next_cursor}`);
    expect(reply.status).toBe(400);
    expect(apiError(reply.body).error.code).toBe('INVALID_INPUT');
    // The same range restated, or left out, is the same query.
    expect((await call(api, `/status/timeline?${range}&limit=10&cursor=${first.next_cursor}`)).status).toBe(200);
    expect((await call(api, `/status/timeline?limit=10&cursor=${first.next_cursor}`)).status).toBe(200);
  });

  test('a step too fine for the limit is raised so that one page holds the whole range', async () => {
    // 25 cycles over 12 minutes at step=30s would be 25 buckets; with limit=5 the step becomes ceil(720 s / 4) = 180 s.
    const body = await page(`start=${iso(atOf(0))}&end=${iso(T0)}&step=30s&limit=5`);
    expect(body.step_sec).toBe(180);
    expect(body.next_cursor).toBeNull();
    expect(body.timeline.length).toBeLessThanOrEqual(5);
    expect(body.timeline.reduce((sum, point) => sum + point.cycles, 0)).toBe(CYCLES);
  });
});
