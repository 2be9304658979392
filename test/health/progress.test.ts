import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { RuleEvaluation } from '../../src/health/gates.ts';
import { evaluateRules } from '../../src/health/gates.ts';
import { getThresholdProfile } from '../../src/health/index.ts';
import {
  BASELINE_READY_AFTER_MS,
  BASELINE_STALE_AFTER_MS,
  DEMAND_CONTINUES_FRACTION,
  PROGRESS_COLLAPSE_FRACTION,
  progressEvidence,
  updateBaseline,
} from '../../src/health/progress.ts';
import type { PrimarySignals, ProgressBaseline } from '../../src/models/index.ts';
import { primaryArb } from './arbitraries.ts';
import { T0 } from './progress-fixtures.ts';

const NUM_RUNS = 300;
const rate = (max: number) => fc.double({ min: 0, max, noNaN: true }).map((x) => x + 0);

/** A baseline learned long enough to judge, of a cluster that was working. */
const readyBaselineArb: fc.Arbitrary<ProgressBaseline> = fc.record({
  completions_per_sec: fc.double({ min: 0.1, max: 500, noNaN: true }),
  starts_per_sec: fc.double({ min: 0.1, max: 500, noNaN: true }),
  updated_at: fc.constant(new Date(T0).toISOString()),
  learned_ms: fc.integer({ min: BASELINE_READY_AFTER_MS, max: BASELINE_STALE_AFTER_MS }),
});

function statusOf(primary: PrimarySignals, baseline: ProgressBaseline | null, id: string): RuleEvaluation['status'] {
  const evaluations = evaluateRules({
    primary,
    profile: getThresholdProfile({ band: 'mid-scale' }),
    progress: progressEvidence({ primary, baseline }),
    systemBusy: false,
    possiblyIdle: false,
  });
  const found = evaluations.critical.find((evaluation) => evaluation.rule.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found.status;
}

describe('progress against the baseline and demand (fast-check)', () => {
  test('completions collapsed while demand continues is a progress stall, whatever else the signals say', () => {
    fc.assert(
      fc.property(
        primaryArb({ nullFreq: 0 }),
        readyBaselineArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, b, f) => {
          p.workflow_completion.success_per_sec = b.completions_per_sec * PROGRESS_COLLAPSE_FRACTION * f * 0.999;
          p.demand.workflow_starts_per_sec = Math.max(b.starts_per_sec * DEMAND_CONTINUES_FRACTION, 0.01);
          expect(statusOf(p, b, 'critical.progress_stall')).toBe('holds');
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('a demand drop (starts below half the baseline) is never a progress stall', () => {
    fc.assert(
      fc.property(
        primaryArb({ nullFreq: 0 }),
        readyBaselineArb,
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (p, b, f) => {
          p.demand.workflow_starts_per_sec = b.starts_per_sec * DEMAND_CONTINUES_FRACTION * f;
          expect(statusOf(p, b, 'critical.progress_stall')).not.toBe('holds');
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('without a ready baseline the progress stall does not judge', () => {
    fc.assert(
      fc.property(
        primaryArb({ nullFreq: 0 }),
        readyBaselineArb,
        fc.nat({ max: BASELINE_READY_AFTER_MS - 1 }),
        (p, b, learned) => {
          expect(statusOf(p, null, 'critical.progress_stall')).toBe('demand_closed');
          expect(statusOf(p, { ...b, learned_ms: learned }, 'critical.progress_stall')).toBe('demand_closed');
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('a stalled cycle never teaches the baseline; a normal one moves it between old and new, never past', () => {
    fc.assert(
      fc.property(
        primaryArb({ nullFreq: 6 }),
        readyBaselineArb,
        fc.integer({ min: 1, max: 10 * 60_000 }),
        (p, b, dt) => {
          const atMs = T0 + dt;
          expect(updateBaseline({ baseline: b, primary: p, atMs, stalled: true })).toEqual(b);
          const next = updateBaseline({ baseline: b, primary: p, atMs, stalled: false });
          const completions = p.workflow_completion.success_per_sec;
          const starts = p.demand.workflow_starts_per_sec;
          if (completions === null || starts === null) {
            expect(next).toEqual(b);
            return;
          }
          const between = (value: number, a: number, c: number) =>
            value >= Math.min(a, c) - 1e-9 && value <= Math.max(a, c) + 1e-9;
          expect(between(next?.completions_per_sec ?? Number.NaN, b.completions_per_sec, completions)).toBe(true);
          expect(between(next?.starts_per_sec ?? Number.NaN, b.starts_per_sec, starts)).toBe(true);
          expect(next?.learned_ms).toBeGreaterThanOrEqual(b.learned_ms);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('more starts or fewer completions never clear a dispatch or progress stall', () => {
    fc.assert(
      fc.property(primaryArb({ nullFreq: 5 }), fc.option(readyBaselineArb, { nil: null }), rate(50), (p, b, more) => {
        for (const id of ['critical.progress_stall', 'critical.dispatch_stall']) {
          if (statusOf(p, b, id) !== 'holds') continue;
          const busier = structuredClone(p);
          if (busier.demand.workflow_starts_per_sec !== null) busier.demand.workflow_starts_per_sec += more;
          if (busier.workflow_completion.success_per_sec !== null) {
            busier.workflow_completion.success_per_sec = Math.max(0, busier.workflow_completion.success_per_sec - more);
          }
          expect(statusOf(busier, b, id)).toBe('holds');
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
