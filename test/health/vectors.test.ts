import { describe, expect, test } from 'bun:test';
import { evaluate } from '../../src/health/index.ts';
import type { EngineState, HealthState, PrimarySignals, ScaleBand } from '../../src/models/index.ts';
import { carried, snapshotOf, zeroPrimary } from './fixtures.ts';

type PrimaryEdit = (primary: PrimarySignals) => void;

/**
 * Reference §2.6 vectors, verified against the original at HEAD. Two adjustments, both deliberate:
 * - Where the vector does not name the processing rate it follows throughput: with processing 0 the processing
 *   collapse gate would fire, which contradicts the verified count 0 of the mid-scale vector.
 * - "current CRITICAL, count 0" was (stressed, 1) in the original: the restart defect §15.2 #6. A restored Critical
 *   state now stays Critical while a critical gate fires, so the expected state is critical.
 */
const VECTORS: {
  name: string;
  edit: PrimaryEdit;
  state: EngineState | null;
  expected: { state: HealthState; count: number; band: ScaleBand };
}[] = [
  {
    name: 'all zeros, current stressed → idle happy',
    edit: () => {},
    state: carried({ state: 'stressed' }),
    expected: { state: 'happy', count: 0, band: 'starter' },
  },
  {
    name: 'tp 2, proc 2, persistence p99 367, success 2/s, frontend errors 0.2/s → happy (not idle)',
    edit: (p) => {
      p.state_transitions.throughput_per_sec = 2;
      p.history.task_processing_rate_per_sec = 2;
      p.persistence.latency_p99_ms = 367;
      p.workflow_completion.success_per_sec = 2;
      p.frontend.error_rate_per_sec = 0.2;
    },
    state: carried({ state: 'stressed' }),
    expected: { state: 'happy', count: 0, band: 'starter' },
  },
  {
    name: 'tp 8, persistence p99 600 → stressed (starter persistence gate 500)',
    edit: (p) => {
      p.state_transitions.throughput_per_sec = 8;
      p.history.task_processing_rate_per_sec = 8;
      p.persistence.latency_p99_ms = 600;
    },
    state: null,
    expected: { state: 'stressed', count: 0, band: 'starter' },
  },
  {
    name: 'tp 0.1, persistence errors 0.5/s, current stressed count 2 → critical 3',
    edit: criticalVectorEdit,
    state: carried({ state: 'stressed', count: 2 }),
    expected: { state: 'critical', count: 3, band: 'starter' },
  },
  {
    name: 'same, current happy count 5 → stressed 6 (invariant)',
    edit: criticalVectorEdit,
    state: carried({ state: 'happy', count: 5 }),
    expected: { state: 'stressed', count: 6, band: 'starter' },
  },
  {
    name: 'same, current critical count 0 → critical 1 (restart defect fixed)',
    edit: criticalVectorEdit,
    state: carried({ state: 'critical', count: 0 }),
    expected: { state: 'critical', count: 1, band: 'starter' },
  },
  {
    name: 'tp 60, frontend p99 3000, no previous band → stressed mid-scale',
    edit: (p) => {
      p.state_transitions.throughput_per_sec = 60;
      p.history.task_processing_rate_per_sec = 60;
      p.frontend.latency_p99_ms = 3000;
    },
    state: null,
    expected: { state: 'stressed', count: 0, band: 'mid-scale' },
  },
  {
    name: 'tp 52 with previous band starter → stays starter',
    edit: (p) => {
      p.state_transitions.throughput_per_sec = 52;
      p.history.task_processing_rate_per_sec = 52;
    },
    state: carried({ state: 'happy', band: 'starter' }),
    expected: { state: 'happy', count: 0, band: 'starter' },
  },
  {
    name: 'tp 0, deletion 50/s, persistence p99 6000 → stressed, not critical (system busy)',
    edit: (p) => {
      p.system_operations.deletion_rate_per_sec = 50;
      p.persistence.latency_p99_ms = 6000;
    },
    state: carried({ state: 'stressed' }),
    expected: { state: 'stressed', count: 0, band: 'starter' },
  },
];

function criticalVectorEdit(p: PrimarySignals): void {
  p.state_transitions.throughput_per_sec = 0.1;
  p.history.task_processing_rate_per_sec = 0.1;
  p.persistence.error_rate_per_sec = 0.5;
}

describe('reference §2.6 vectors', () => {
  test.each(VECTORS)('$name', ({ edit, state, expected }) => {
    const primary = zeroPrimary();
    edit(primary);
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state });
    expect({
      state: decision.health_state,
      count: decision.consecutive_critical,
      band: decision.scale_band,
    }).toEqual({ state: expected.state, count: expected.count, band: expected.band });
  });

  test('system-busy vector lists the suppressed throughput gates and the persistence latency finding', () => {
    const primary = zeroPrimary();
    primary.system_operations.deletion_rate_per_sec = 50;
    primary.persistence.latency_p99_ms = 6000;
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: null });
    expect(decision.system_busy).toBe(true);
    expect(decision.firing.map((f) => [f.rule_id, f.suppressed])).toEqual([
      ['critical.throughput_collapse', true],
      ['critical.processing_collapse', true],
      ['stressed.persistence_latency', false],
    ]);
  });
});
