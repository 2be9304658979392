import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { rawGateLevel } from '../../src/health/gates.ts';
import { evaluate, getThresholdProfile } from '../../src/health/index.ts';
import type { HealthState, PrimarySignals } from '../../src/models/index.ts';
import { bandArb, calmPrimaryArb, engineStateArb, idlePrimaryArb, primaryArb, snapshotArb } from './arbitraries.ts';

const NUM_RUNS = 300;
const RANK: Record<HealthState, number> = { happy: 0, unknown: 0, stressed: 1, critical: 2 };

type Core = 'throughput' | 'processing' | 'backlog' | 'persistenceErrors';
const CORE: Record<Core, (p: PrimarySignals) => void> = {
  throughput: (p) => {
    p.state_transitions.throughput_per_sec = null;
  },
  processing: (p) => {
    p.history.task_processing_rate_per_sec = null;
  },
  backlog: (p) => {
    p.history.backlog_age_sec = null;
  },
  persistenceErrors: (p) => {
    p.persistence.error_rate_per_sec = null;
  },
};
const coreArb = fc.constantFrom<Core>('throughput', 'processing', 'backlog', 'persistenceErrors');

interface Worsening {
  name: string;
  /** Returns false when the field is null (nothing to worsen). */
  apply: (p: PrimarySignals, factor: number) => boolean;
}
const up = (get: (p: PrimarySignals) => number | null, set: (p: PrimarySignals, v: number) => void, max = Infinity) => {
  return (p: PrimarySignals, factor: number): boolean => {
    const value = get(p);
    if (value === null) return false;
    set(p, Math.min(max, value + factor * (value + 1)));
    return true;
  };
};
const down = (get: (p: PrimarySignals) => number | null, set: (p: PrimarySignals, v: number) => void) => {
  return (p: PrimarySignals, factor: number): boolean => {
    const value = get(p);
    if (value === null) return false;
    set(p, value * (1 - factor));
    return true;
  };
};

/**
 * Worsening moves: higher latency/backlog/errors/churn/timeouts/failures, lower processing or completion.
 * Throughput is left out on purpose: lower throughput closes the demand gates (frontend latency and poller
 * timeouts apply only at ≥ 5 st/s), which is the documented design, not a regression.
 */
const WORSENINGS: Worsening[] = [
  {
    name: 'st latency',
    apply: up(
      (p) => p.state_transitions.latency_p99_ms,
      (p, v) => {
        p.state_transitions.latency_p99_ms = v;
      },
    ),
  },
  {
    name: 'history backlog',
    apply: up(
      (p) => p.history.backlog_age_sec,
      (p, v) => {
        p.history.backlog_age_sec = v;
      },
    ),
  },
  {
    name: 'shard churn',
    apply: up(
      (p) => p.history.shard_churn_rate_per_sec,
      (p, v) => {
        p.history.shard_churn_rate_per_sec = v;
      },
    ),
  },
  {
    name: 'frontend p99',
    apply: up(
      (p) => p.frontend.latency_p99_ms,
      (p, v) => {
        p.frontend.latency_p99_ms = v;
      },
    ),
  },
  {
    name: 'frontend errors',
    apply: up(
      (p) => p.frontend.error_rate_per_sec,
      (p, v) => {
        p.frontend.error_rate_per_sec = v;
      },
    ),
  },
  {
    name: 'poll timeouts',
    apply: up(
      (p) => p.poller.poll_timeout_rate,
      (p, v) => {
        p.poller.poll_timeout_rate = v;
      },
      1,
    ),
  },
  {
    name: 'persistence p99',
    apply: up(
      (p) => p.persistence.latency_p99_ms,
      (p, v) => {
        p.persistence.latency_p99_ms = v;
      },
    ),
  },
  {
    name: 'persistence errors',
    apply: up(
      (p) => p.persistence.error_rate_per_sec,
      (p, v) => {
        p.persistence.error_rate_per_sec = v;
      },
    ),
  },
  {
    name: 'failed/s',
    apply: up(
      (p) => p.workflow_completion.failed_per_sec,
      (p, v) => {
        p.workflow_completion.failed_per_sec = v;
      },
    ),
  },
  {
    name: 'matching backlog',
    apply: up(
      (p) => p.matching.workflow_backlog_age_sec,
      (p, v) => {
        p.matching.workflow_backlog_age_sec = v;
      },
    ),
  },
  {
    name: 'completion rate',
    apply: down(
      (p) => p.workflow_completion.completion_rate,
      (p, v) => {
        p.workflow_completion.completion_rate = v;
      },
    ),
  },
];
const worseningArb = fc.constantFrom(...WORSENINGS);
const factorArb = fc.double({ min: 0.01, max: 1, noNaN: true });

describe('no-data and monotonicity properties (fast-check)', () => {
  test('idle ⇒ Happy with the counter reset, whatever the carried state', () => {
    fc.assert(
      fc.property(
        snapshotArb({ nullFreq: 4, primary: idlePrimaryArb }),
        fc.option(engineStateArb, { nil: null }),
        (snapshot, state) => {
          const { decision } = evaluate({ snapshot, state });
          expect([decision.idle, decision.health_state, decision.consecutive_critical, decision.firing]).toEqual([
            true,
            'happy',
            0,
            [],
          ]);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('blind ⇒ unknown; counter, band and last known state carried unchanged', () => {
    const blindPrimary = primaryArb({ nullFreq: 3 }).map((primary) => {
      for (const clear of Object.values(CORE)) clear(primary);
      return primary;
    });
    fc.assert(
      fc.property(snapshotArb({ nullFreq: 3, primary: blindPrimary }), engineStateArb, (snapshot, state) => {
        const { decision, state: next } = evaluate({ snapshot, state });
        expect([decision.health_state, decision.data_quality, decision.firing]).toEqual(['unknown', 'blind', []]);
        const lastKnown = state.health_state === 'unknown' ? state.last_known_state : state.health_state;
        const { health_state: _, ...carriedOver } = state;
        expect(next).toEqual({
          ...carriedOver,
          health_state: 'unknown',
          last_known_state: lastKnown,
          progress_baseline: state.progress_baseline ?? null,
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('never Happy when a core signal is null; never Critical without a counted critical finding', () => {
    const primary = fc
      .tuple(fc.oneof(primaryArb({ nullFreq: 6 }), calmPrimaryArb({ nullFreq: 12 })), coreArb)
      .map(([p, core]) => {
        CORE[core](p);
        return p;
      });
    fc.assert(
      fc.property(
        snapshotArb({ nullFreq: 6, primary }),
        fc.option(engineStateArb, { nil: null }),
        (snapshot, state) => {
          const { decision } = evaluate({ snapshot, state });
          expect(decision.health_state).not.toBe('happy');
          expect(decision.data_quality).not.toBe('complete');
          if (decision.health_state === 'critical') {
            expect(decision.firing.some((f) => f.level === 'critical' && !f.suppressed)).toBe(true);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('worsening any single primary signal never improves the raw gate level', () => {
    fc.assert(
      fc.property(
        fc.oneof(primaryArb({ nullFreq: 6 }), calmPrimaryArb()),
        bandArb,
        worseningArb,
        factorArb,
        (primary, band, worsening, factor) => {
          const profile = getThresholdProfile({ band });
          const before = rawGateLevel({ primary, profile });
          const worse = structuredClone(primary);
          if (!worsening.apply(worse, factor)) return;
          expect(rawGateLevel({ primary: worse, profile })).toBeGreaterThanOrEqual(before);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('worsening a single non-throughput signal never improves the decided state (same carried state)', () => {
    fc.assert(
      fc.property(
        fc.oneof(snapshotArb({ nullFreq: 6 }), snapshotArb({ nullFreq: 6, primary: calmPrimaryArb() })),
        engineStateArb,
        worseningArb,
        factorArb,
        (snapshot, state, worsening, factor) => {
          const worse = structuredClone(snapshot);
          if (!worsening.apply(worse.primary, factor)) return;
          const before = evaluate({ snapshot, state }).decision.health_state;
          const after = evaluate({ snapshot: worse, state }).decision.health_state;
          expect(RANK[after]).toBeGreaterThanOrEqual(RANK[before]);
          if (before === 'unknown') expect(after).not.toBe('happy');
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('nearest escalation is a rule that is not firing, with non-negative headroom', () => {
    fc.assert(
      fc.property(snapshotArb({ nullFreq: 8 }), fc.option(engineStateArb, { nil: null }), (snapshot, state) => {
        const { decision } = evaluate({ snapshot, state });
        const nearest = decision.nearest_escalation;
        if (decision.health_state === 'critical' || decision.health_state === 'unknown') expect(nearest).toBeNull();
        if (nearest === null) return;
        expect(nearest.headroom_ratio).toBeGreaterThanOrEqual(0);
        expect(decision.firing.some((f) => f.rule_id === nearest.rule_id && f.signal === nearest.signal)).toBe(false);
        if (decision.health_state === 'stressed') expect(nearest.level).toBe('critical');
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
