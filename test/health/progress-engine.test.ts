import { describe, expect, test } from 'bun:test';
import { evaluate } from '../../src/health/index.ts';
import type { EngineState, PrimarySignals } from '../../src/models/index.ts';
import { snapshotOf, zeroPrimary } from './fixtures.ts';
import { T0, workersGone, working } from './progress-fixtures.ts';

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

  test('callers stopping while the 1-minute rates decay is a demand drop: no floor pages, Happy stays', () => {
    let { state, atMs } = afterHealthy(10);
    for (let i = 0; i < 4; i++, atMs += 30_000) {
      // Transitions already under the mid-scale floor, history still busy with the last tasks: not idle yet.
      const primary = working({ completions: 0.2, starts: 0.2 });
      primary.state_transitions.throughput_per_sec = 1;
      primary.history.task_processing_rate_per_sec = 20;
      const result = step(state, primary, atMs);
      state = result.state;
      expect(result.decision.progress?.demand_dropped).toBe(true);
      // Neither a collapse nor an un-Happy low throughput: callers asked less.
      expect(result.decision.health_state).toBe('happy');
      expect(result.decision.firing.filter((f) => f.level === 'critical').every((f) => f.suppressed)).toBe(true);
    }
  });
});
