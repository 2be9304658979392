import { afterAll, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { ClusterEntry } from '../../src/api/status-cache.ts';
import { statusView, type ViewInput, viewSameThroughMs } from '../../src/api/status-view.ts';
import { writeCycle, writeLogPatterns } from '../../src/db/index.ts';
import { openPostgres } from '../db/backends.ts';
import { cycle, pattern, T0 } from '../db/fixtures.ts';
import { call, testApi } from './helpers.ts';

/**
 * The memoized `/status` body is reused from its computation through `viewSameThroughMs`: the view must say the same
 * thing at every instant of that span and something else just after it, or the memo would serve a wrong body.
 */

const MINUTE = 60_000;

function entryOf(input: { cycleAtMs: number | null; patternEndsMs: number[] }): ClusterEntry {
  const stored = input.cycleAtMs === null ? null : cycle({ cluster: 'memo', atMs: input.cycleAtMs, state: 'stressed' });
  return {
    name: 'memo',
    configured: false,
    keys: null,
    cycle: stored,
    assessment: null,
    assessmentIssues: [],
    activeIssues: [],
    logPatterns: input.patternEndsMs.map((endMs, i) => pattern({ signature: `p${i}`, startMs: endMs - MINUTE, endMs })),
  };
}

const arbitraryInput = fc.record({
  cycleAtMs: fc.option(fc.integer({ min: T0 - 60 * MINUTE, max: T0 }), { nil: null }),
  patternEndsMs: fc.array(fc.integer({ min: T0 - 40 * MINUTE, max: T0 + 5 * MINUTE }), { maxLength: 4 }),
  staleAfterMs: fc.integer({ min: 1_000, max: 30 * MINUTE }),
  storeReachable: fc.boolean(),
  nowMs: fc.integer({ min: T0 - 10 * MINUTE, max: T0 + 40 * MINUTE }),
  fraction: fc.double({ min: 0, max: 1, noNaN: true }),
});

test('the view is the same from nowMs through viewSameThroughMs, and differs 1 ms after it', () => {
  fc.assert(
    fc.property(arbitraryInput, (a) => {
      const entry = entryOf(a);
      const at = (nowMs: number): ViewInput => ({
        entry,
        nowMs,
        staleAfterMs: a.staleAfterMs,
        storeReachable: a.storeReachable,
      });
      const body = (nowMs: number) => JSON.stringify(statusView(at(nowMs)));
      const through = viewSameThroughMs(at(a.nowMs));
      expect(through).toBeGreaterThanOrEqual(a.nowMs);
      const span = Number.isFinite(through) ? through - a.nowMs : 24 * 60 * MINUTE;
      const inside = a.nowMs + Math.floor(a.fraction * span);
      expect(body(inside)).toBe(body(a.nowMs));
      if (Number.isFinite(through)) {
        expect(body(through)).toBe(body(a.nowMs));
        expect(body(through + 1)).not.toBe(body(a.nowMs));
      }
    }),
    { numRuns: 400 },
  );
});

test('at the exact last fresh instant and the exact last shown instant of a pattern, the span ends there', () => {
  const entry = entryOf({ cycleAtMs: T0, patternEndsMs: [T0 + MINUTE] });
  const input = (nowMs: number, staleAfterMs: number): ViewInput => ({
    entry,
    nowMs,
    staleAfterMs,
    storeReachable: true,
  });
  expect(viewSameThroughMs(input(T0 + 5 * MINUTE, 5 * MINUTE))).toBe(T0 + 5 * MINUTE);
  expect(viewSameThroughMs(input(T0 + 16 * MINUTE, 60 * MINUTE))).toBe(T0 + 16 * MINUTE);
  expect(viewSameThroughMs(input(T0 + 16 * MINUTE + 1, 60 * MINUTE))).toBe(T0 + 60 * MINUTE);
  expect(viewSameThroughMs(input(T0 + 61 * MINUTE, 60 * MINUTE))).toBe(Number.POSITIVE_INFINITY);
});

const db = await openPostgres();
afterAll(() => db.close());

test('through the API: a clock that moves both ways always gets the body a fresh API computes', async () => {
  await writeCycle(db.sql, cycle({ cluster: 'clocked', atMs: T0, state: 'critical' }));
  await writeLogPatterns(db.sql, {
    cluster: 'clocked',
    windowKey: 'w1',
    patterns: [2, 6, 11].map((m) => pattern({ signature: `s${m}`, startMs: T0 - MINUTE, endMs: T0 + m * MINUTE })),
  });
  let nowMs = T0;
  const memoized = testApi(db.sql, { now: () => nowMs, staleAfterMs: 20 * MINUTE });
  await memoized.refresh();
  const offsets = [0, 1, 17, 16, 21, 20, 26, 27, 35, 3, 0, 19.99, 20, 20.001];
  for (const offset of offsets) {
    nowMs = T0 + offset * MINUTE;
    const fresh = testApi(db.sql, { now: () => nowMs, staleAfterMs: 20 * MINUTE });
    await fresh.refresh();
    const [got, want] = [await call(memoized, '/status?cluster=clocked'), await call(fresh, '/status?cluster=clocked')];
    expect({ offset, text: got.text, etag: got.headers.get('etag') }).toEqual({
      offset,
      text: want.text,
      etag: want.headers.get('etag'),
    });
  }
});
