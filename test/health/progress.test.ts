import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { RuleEvaluation } from '../../src/health/gates.ts';
import { evaluateRules } from '../../src/health/gates.ts';
import { evaluate, getThresholdProfile } from '../../src/health/index.ts';
import {
  BASELINE_READY_AFTER_MS,
  BASELINE_STALE_AFTER_MS,
  DEMAND_CONTINUES_FRACTION,
  PROGRESS_COLLAPSE_FRACTION,
  progressEvidence,
  updateBaseline,
} from '../../src/health/progress.ts';
import type { EngineState, PrimarySignals, ProgressBaseline } from '../../src/models/index.ts';
import { primaryArb } from './arbitraries.ts';
import { snapshotOf, zeroPrimary } from './fixtures.ts';

const NUM_RUNS = 300;
const T0 = Date.parse('2026-12-01T09:00:00.000Z');
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

/** A busy mid-scale cluster whose work is progressing. */
function working(input: { completions: number; starts: number }): PrimarySignals {
  const primary = zeroPrimary();
  primary.state_transitions.throughput_per_sec = 100;
  primary.history.task_processing_rate_per_sec = 100;
  primary.workflow_completion.success_per_sec = input.completions;
  primary.demand.workflow_starts_per_sec = input.starts;
  return primary;
}

/** The same cluster with its workers gone: starts go on, each a transition; nothing completes; tasks pile up. */
function workersGone(input: { starts: number; backlog: number }): PrimarySignals {
  const primary = working({ completions: 0, starts: input.starts });
  primary.state_transitions.throughput_per_sec = input.starts;
  primary.matching.backlog_tasks = input.backlog;
  primary.matching.backlog_growth_per_sec = input.starts;
  primary.matching.stalled_task_queues = 2;
  return primary;
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

describe('progress through the engine', () => {
  const step = (state: EngineState | null, primary: PrimarySignals, atMs: number) =>
    evaluate({ snapshot: snapshotOf(primary, { at: new Date(atMs).toISOString() }), state });

  function afterHealthy(cycles: number): { state: EngineState; atMs: number } {
    let state: EngineState | null = null;
    let atMs = T0;
    for (let i = 0; i < cycles; i++, atMs += 30_000) {
      state = step(state, working({ completions: 8, starts: 8 }), atMs).state;
    }
    if (state === null) throw new Error('no cycle');
    return { state, atMs };
  }

  test('a worker outage that keeps transitions at the start rate goes Critical on the third stalled cycle', () => {
    let { state, atMs } = afterHealthy(10);
    const states: string[] = [];
    for (let i = 0; i < 4; i++, atMs += 30_000) {
      const result = step(state, workersGone({ starts: 8, backlog: 240 * (i + 1) }), atMs);
      state = result.state;
      states.push(result.decision.health_state);
      expect(result.decision.progress).toMatchObject({ demand: 'continuing', completions_per_sec: 0 });
    }
    expect(states).toEqual(['stressed', 'stressed', 'critical', 'critical']);
    // The stall taught the baseline nothing.
    expect(state.progress_baseline?.completions_per_sec).toBeCloseTo(8, 6);
  });

  test('the same outage during a retention storm is still Critical: deletes do not excuse stalled user work', () => {
    let { state, atMs } = afterHealthy(10);
    let last = '';
    for (let i = 0; i < 3; i++, atMs += 30_000) {
      const primary = workersGone({ starts: 3, backlog: 100 * (i + 1) });
      primary.system_operations.deletion_rate_per_sec = 60;
      primary.system_operations.cleanup_delete_rate_per_sec = 5;
      const result = step(state, primary, atMs);
      expect(result.decision.system_busy).toBe(true);
      state = result.state;
      last = result.decision.health_state;
    }
    expect(last).toBe('critical');
  });

  test('callers stopping is a demand drop, not a stall: the cluster goes idle and Happy', () => {
    let { state, atMs } = afterHealthy(10);
    for (let i = 0; i < 4; i++, atMs += 30_000) {
      const result = step(state, zeroPrimary(), atMs);
      state = result.state;
      expect(result.decision.health_state).toBe('happy');
      expect(result.decision.firing).toEqual([]);
    }
  });

  test('a queue nobody polls on a quiet cluster is Stressed, never Critical and never idle-Happy', () => {
    let state: EngineState | null = null;
    for (let i = 0; i < 5; i++) {
      const primary = zeroPrimary();
      primary.matching.stalled_task_queues = 1;
      primary.matching.backlog_tasks = 90;
      const result = step(state, primary, T0 + i * 30_000);
      state = result.state;
      expect(result.decision.health_state).toBe('stressed');
      expect(result.decision.idle).toBe(false);
      expect(result.decision.firing.filter((f) => !f.suppressed).map((f) => f.rule_id)).toEqual([
        'stressed.stalled_task_queue',
      ]);
    }
  });

  test('a low-traffic cluster whose completions stop while callers go on is never idle-Happy, and goes Critical', () => {
    let state: EngineState | null = null;
    let atMs = T0;
    const quiet = (completions: number) => {
      const primary = zeroPrimary();
      primary.state_transitions.throughput_per_sec = 3;
      primary.history.task_processing_rate_per_sec = 3;
      primary.workflow_completion.success_per_sec = completions;
      primary.demand.workflow_starts_per_sec = 0.5;
      return primary;
    };
    for (let i = 0; i < 10; i++, atMs += 30_000) state = step(state, quiet(0.5), atMs).state;
    const states: string[] = [];
    for (let i = 0; i < 4; i++, atMs += 30_000) {
      const result = step(state, quiet(0), atMs);
      state = result.state;
      states.push(result.decision.health_state);
      expect(result.decision.idle).toBe(false);
    }
    expect(states).toEqual(['stressed', 'stressed', 'critical', 'critical']);
  });

  test('a long stall is never learned: not after a dip in starts, not after the baseline goes stale', () => {
    let { state, atMs } = afterHealthy(10);
    const stalled = (starts: number) => {
      const primary = working({ completions: 0, starts });
      primary.matching.stalled_task_queues = null;
      primary.matching.backlog_growth_per_sec = null;
      return primary;
    };
    let last = '';
    for (let i = 0; i < 80; i++, atMs += 30_000) {
      // One cycle in twenty the callers slow to a third: still a stall, never a lesson.
      const result = step(state, stalled(i % 20 === 10 ? 8 / 3 : 8), atMs);
      state = result.state;
      last = result.decision.health_state;
    }
    expect(last).toBe('critical');
    expect(state.progress_baseline?.completions_per_sec).toBeCloseTo(8, 6);
  });

  test('no start series (work from child workflows or schedules) keeps a busy healthy cluster Happy', () => {
    let state: EngineState | null = null;
    for (let i = 0; i < 8; i++) {
      const primary = working({ completions: 10, starts: 0 });
      primary.demand.workflow_starts_per_sec = null;
      const result = step(state, primary, T0 + i * 30_000);
      state = result.state;
      expect(result.decision.health_state).toBe('happy');
    }
  });

  test('long-running workflows that complete nothing, next to an orphan queue that does not grow, never page', () => {
    let state: EngineState | null = null;
    for (let i = 0; i < 8; i++) {
      const primary = working({ completions: 0, starts: 2 });
      primary.matching.stalled_task_queues = 1;
      primary.matching.backlog_tasks = 40;
      primary.matching.backlog_growth_per_sec = 0;
      const result = step(state, primary, T0 + i * 30_000);
      state = result.state;
      expect(result.decision.health_state).toBe('stressed');
    }
  });
});
