import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { bandDistance } from '../../src/health/bands.ts';
import { checkIdleAndStalls } from '../../src/health/context.ts';
import { evaluate, initialEngineState } from '../../src/health/index.ts';
import { progressCollapsed } from '../../src/health/progress.ts';
import { Decision, EngineState, type HealthState, type PrimarySignals } from '../../src/models/index.ts';
import { engineStateArb, primaryArb, snapshotArb } from './arbitraries.ts';

// Runs per property (issue 2 asks for at least 200).
const NUM_RUNS = 300;

const SUPPRESSIBLE = new Set([
  'critical.throughput_collapse',
  'critical.completion_collapse',
  'critical.processing_collapse',
]);
const RANK: Record<HealthState, number> = { happy: 0, unknown: 0, stressed: 1, critical: 2 };

/** A primary block where a gate that system-busy never suppresses fires (defaults: persistence errors > 50/s). */
const criticalPrimaryArb: fc.Arbitrary<PrimarySignals> = fc
  .tuple(primaryArb({ nullFreq: 10 }), fc.boolean(), fc.double({ min: 50.5, max: 100, noNaN: true }))
  .map(([primary, viaBacklog, value]) => {
    if (viaBacklog) primary.history.backlog_age_sec = value * 20;
    else primary.persistence.error_rate_per_sec = value;
    return primary;
  });

const countedCritical = (decision: Decision): boolean =>
  decision.firing.some((finding) => finding.level === 'critical' && !finding.suppressed);

describe('engine invariants (fast-check)', () => {
  test('determinism: the same input gives the same output, also after a JSON round trip', () => {
    fc.assert(
      fc.property(snapshotArb(), fc.option(engineStateArb, { nil: null }), (snapshot, state) => {
        const first = evaluate({ snapshot, state });
        const again = evaluate(JSON.parse(JSON.stringify({ snapshot, state })));
        expect(again).toEqual(first);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('Happy never becomes Critical in one evaluation, whatever the carried counter or last known state', () => {
    const happyState = fc.oneof(
      engineStateArb.map((state) => ({ ...state, health_state: 'happy' as const })),
      engineStateArb.map((state) => ({
        ...state,
        health_state: 'unknown' as const,
        last_known_state: 'happy' as const,
      })),
    );
    const snapshot = fc.oneof(snapshotArb(), snapshotArb({ nullFreq: 10, primary: criticalPrimaryArb }));
    fc.assert(
      fc.property(snapshot, happyState, (snap, state) => {
        expect(evaluate({ snapshot: snap, state }).decision.health_state).not.toBe('critical');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('from a fresh start, Critical needs 3 consecutive evaluations with a counted critical gate', () => {
    const sequence = fc.array(fc.oneof(snapshotArb(), snapshotArb({ nullFreq: 10, primary: criticalPrimaryArb })), {
      minLength: 1,
      maxLength: 10,
    });
    fc.assert(
      fc.property(sequence, (snapshots) => {
        let state = initialEngineState();
        const seen: Decision[] = [];
        for (const snapshot of snapshots) {
          const wasCritical = state.last_known_state === 'critical';
          const result = evaluate({ snapshot, state });
          if (result.decision.data_quality !== 'blind') seen.push(result.decision);
          if (result.decision.health_state === 'critical' && !wasCritical) {
            const lastThree = seen.slice(-3);
            expect(lastThree.length).toBe(3);
            expect(lastThree.every(countedCritical)).toBe(true);
          }
          state = result.state;
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('a restored Critical state stays Critical while a critical gate fires', () => {
    const restored = fc.oneof(
      engineStateArb.map((state) => ({
        ...state,
        health_state: 'critical' as const,
        last_known_state: 'critical' as const,
      })),
      engineStateArb.map((state) => ({
        ...state,
        health_state: 'unknown' as const,
        last_known_state: 'critical' as const,
      })),
    );
    fc.assert(
      fc.property(snapshotArb({ nullFreq: 10, primary: criticalPrimaryArb }), restored, (snapshot, state) => {
        const { decision } = evaluate({ snapshot, state });
        expect(decision.health_state).toBe('critical');
        expect(decision.consecutive_critical).toBe(state.consecutive_critical + 1);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('one band step per cycle', () => {
    fc.assert(
      fc.property(snapshotArb(), engineStateArb, (snapshot, state) => {
        const { decision, state: next } = evaluate({ snapshot, state });
        if (state.scale_band !== null)
          expect(bandDistance(state.scale_band, decision.scale_band)).toBeLessThanOrEqual(1);
        if (next.scale_band !== null) expect(next.scale_band).toBe(decision.scale_band);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('services are never more severe than the cluster, and blind means every service unknown', () => {
    fc.assert(
      fc.property(snapshotArb({ nullFreq: 3 }), fc.option(engineStateArb, { nil: null }), (snapshot, state) => {
        const { decision } = evaluate({ snapshot, state });
        for (const service of decision.services) {
          expect(RANK[service.status]).toBeLessThanOrEqual(RANK[decision.health_state]);
          if (decision.data_quality === 'blind') expect(service.status).toBe('unknown');
        }
        expect(decision.services.map((service) => service.name)).toEqual([
          'frontend',
          'history',
          'matching',
          'persistence',
          'workers',
        ]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('every decision and next state validate against their ArkType schemas', () => {
    fc.assert(
      fc.property(snapshotArb({ nullFreq: 4 }), fc.option(engineStateArb, { nil: null }), (snapshot, state) => {
        const result = evaluate({ snapshot, state });
        expect(Decision(result.decision)).toEqual(result.decision);
        expect(EngineState(result.state)).toEqual(result.state);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('system-busy or an undetermined idle suppresses only the throughput, completion and processing gates', () => {
    const busyPrimary = fc
      .tuple(
        primaryArb({ nullFreq: 10 }),
        fc.double({ min: 0, max: 4.99, noNaN: true }),
        fc.double({ min: 5, max: 60 }),
      )
      .map(([primary, throughput, deletion]) => {
        primary.state_transitions.throughput_per_sec = throughput + 0;
        primary.system_operations.deletion_rate_per_sec = deletion;
        return primary;
      });
    const snapshot = fc.oneof(snapshotArb(), snapshotArb({ nullFreq: 10, primary: busyPrimary }));
    fc.assert(
      fc.property(snapshot, fc.option(engineStateArb, { nil: null }), (snap, state) => {
        const { decision } = evaluate({ snapshot: snap, state });
        const collapsed = decision.progress !== undefined && progressCollapsed(decision.progress);
        const { quietButStalled } = checkIdleAndStalls({ primary: snap.primary, progressCollapsed: collapsed });
        for (const finding of decision.firing) {
          const quietOrBusy =
            decision.system_busy ||
            decision.unevaluated_rules.includes('context.idle') ||
            quietButStalled ||
            decision.progress?.demand_dropped === true;
          expect(finding.suppressed).toBe(quietOrBusy && SUPPRESSIBLE.has(finding.rule_id));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
