import { expect, test } from 'bun:test';
import fc from 'fast-check';
import { effectiveStepMs, MAX_RANGE_MS } from '../../src/api/timeline.ts';
import { MAX_PAGE_SIZE } from '../../src/db/index.ts';

/** How many epoch-aligned `stepMs` buckets the inclusive range [startMs, endMs] touches (the store's bucketing). */
const bucketsIn = (startMs: number, endMs: number, stepMs: number) =>
  Math.floor(endMs / stepMs) - Math.floor(startMs / stepMs) + 1;

const HOUR = 3_600_000;
const END_MS = Date.parse('2024-01-15T12:00:00Z');

// What the Health timeline panel sends (maxDataPoints 500, min interval 30 s, limit 500): Grafana rounds
// range / 500 to a standard interval, often down (6 h / 500 = 43.2 s becomes 30 s, i.e. 720 buckets).
test.each([
  ['6h', 6 * HOUR, 30_000],
  ['12h', 12 * HOUR, 60_000],
  ['24h', 24 * HOUR, 120_000],
  ['7d', 7 * 24 * HOUR, 1_200_000],
  ['30d', 30 * 24 * HOUR, HOUR],
])('Grafana range %s with its rounded interval fits one page of 500', (_name, rangeMs, grafanaStepMs) => {
  const startMs = END_MS - rangeMs;
  expect(bucketsIn(startMs, END_MS, grafanaStepMs)).toBeGreaterThan(MAX_PAGE_SIZE);
  const stepMs = effectiveStepMs({ stepMs: grafanaStepMs, rangeMs, limit: MAX_PAGE_SIZE });
  expect(bucketsIn(startMs, END_MS, stepMs)).toBeLessThanOrEqual(MAX_PAGE_SIZE);
});

test('the effective step is whole seconds, never below the request, and one page always holds the range', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2_000_000_000_000 }),
      fc.integer({ min: 0, max: MAX_RANGE_MS }),
      fc.integer({ min: 1, max: 31 * 86_400 }),
      fc.integer({ min: 2, max: MAX_PAGE_SIZE }),
      (startMs, rangeMs, stepSec, limit) => {
        const stepMs = effectiveStepMs({ stepMs: stepSec * 1000, rangeMs, limit });
        expect(stepMs % 1000).toBe(0);
        expect(stepMs).toBeGreaterThanOrEqual(stepSec * 1000);
        expect(bucketsIn(startMs, startMs + rangeMs, stepMs)).toBeLessThanOrEqual(limit);
      },
    ),
  );
});

test('a step coarse enough already is kept as asked', () => {
  expect(effectiveStepMs({ stepMs: 600_000, rangeMs: 24 * HOUR, limit: MAX_PAGE_SIZE })).toBe(600_000);
});
