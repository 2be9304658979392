import { describe, expect, test } from 'bun:test';
import { evaluate } from '../../src/health/index.ts';
import type { EngineState, HealthState, PrimarySignals } from '../../src/models/index.ts';
import { snapshotOf, zeroPrimary } from './fixtures.ts';

/** Run cycles from a fresh start and return the states decided. */
function run(primary: PrimarySignals, cycles: number): HealthState[] {
  let state: EngineState | null = null;
  const states: HealthState[] = [];
  for (let i = 0; i < cycles; i += 1) {
    const result = evaluate({ snapshot: snapshotOf(primary), state });
    state = result.state;
    states.push(result.decision.health_state);
  }
  return states;
}

/**
 * A freshly started, quiet server has not yet exported matching's backlog gauges, so the matching backlog ages are
 * null and idle can be neither claimed nor ruled out. Quiet and stalled look the same then: the copilot says
 * unknown instead of paging Critical after the debounce, and never calls it Happy.
 */
describe('idle undetermined for lack of data', () => {
  const quiet = (): PrimarySignals => {
    const primary = zeroPrimary();
    primary.state_transitions.throughput_per_sec = 0.1;
    primary.history.task_processing_rate_per_sec = 0.1;
    primary.matching.workflow_backlog_age_sec = null;
    primary.matching.activity_backlog_age_sec = null;
    return primary;
  };

  test('a quiet cluster without matching data is unknown, never Stressed or Critical from its low throughput', () => {
    expect(run(quiet(), 6)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    const { decision } = evaluate({ snapshot: snapshotOf(quiet()), state: null });
    expect(decision.unevaluated_rules).toContain('context.idle');
    expect(decision.firing.filter((f) => !f.suppressed)).toEqual([]);
    expect(decision.firing.map((f) => f.rule_id).sort()).toEqual([
      'critical.processing_collapse',
      'critical.throughput_collapse',
    ]);
  });

  test('with the same gap, evidence that rules idle out still decides: a critical history backlog goes Critical', () => {
    const stuck = quiet();
    stuck.history.backlog_age_sec = 900;
    expect(run(stuck, 3)).toEqual(['stressed', 'stressed', 'critical']);
  });

  test('with the same gap, a persistence error storm still goes Critical', () => {
    const failing = quiet();
    failing.persistence.error_rate_per_sec = 80;
    expect(run(failing, 3)).toEqual(['stressed', 'stressed', 'critical']);
  });

  test('once the matching data arrives and shows nothing waiting, the quiet cluster is idle and Happy', () => {
    const known = quiet();
    known.matching.workflow_backlog_age_sec = 0;
    known.matching.activity_backlog_age_sec = 0;
    expect(run(known, 2)).toEqual(['happy', 'happy']);
  });
});
