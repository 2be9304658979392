import fc from 'fast-check';
import { explainWithRules } from '../../src/agents/rules-explainer.ts';
import { evaluate, validateOverrides } from '../../src/health/index.ts';
import type {
  Decision,
  EngineState,
  LogPattern,
  SignalsSnapshot,
  ThresholdOverrides,
  WindowEntry,
} from '../../src/models/index.ts';
import { ThresholdOverrides as ThresholdOverridesType } from '../../src/models/index.ts';
import { engineStateArb, overridesArb, snapshotArb } from '../health/arbitraries.ts';
import { snapshotOf, zeroPrimary } from '../health/fixtures.ts';

/** A decision the real engine made, with its snapshot, so the evidence is built from what production would see. */
export interface DecidedCase {
  decision: Decision;
  snapshot: SignalsSnapshot;
  /** The cluster's threshold overrides the engine decided with; the evidence must use the same. */
  overrides: ThresholdOverrides | undefined;
}

function isValidOverrides(overrides: ThresholdOverrides): boolean {
  try {
    validateOverrides(overrides);
    return true;
  } catch {
    return false;
  }
}

/**
 * Thresholds as an operator writes them: rounded to 0.001. A subnormal limit makes headroom ratios above 1e21, which
 * no answer can state in plain decimals (`toFixed` switches to exponent notation), so they would test nothing here.
 */
function writable(overrides: ThresholdOverrides): ThresholdOverrides {
  const rounded: unknown = JSON.parse(JSON.stringify(overrides), (_key, value: unknown) =>
    typeof value === 'number' ? Math.round(value * 1000) / 1000 : value,
  );
  return ThresholdOverridesType.assert(rounded);
}

const validOverridesArb = fc.option(overridesArb.map(writable).filter(isValidOverrides), { nil: undefined });

export const decidedArb: fc.Arbitrary<DecidedCase> = fc
  .tuple(snapshotArb(), fc.option(engineStateArb, { nil: null }), validOverridesArb)
  .map(([snapshot, state, overrides]) => ({
    snapshot,
    overrides,
    decision: evaluate(overrides ? { snapshot, state, overrides } : { snapshot, state }).decision,
  }));

/** Busy (20 transitions/s, processing keeps up) while persistence fails at 80 errors/s. */
export function persistenceFailing() {
  const primary = zeroPrimary();
  primary.state_transitions.throughput_per_sec = 20;
  primary.history.task_processing_rate_per_sec = 20;
  primary.workflow_completion.success_per_sec = 10;
  primary.persistence.error_rate_per_sec = 80;
  primary.persistence.latency_p99_ms = 180;
  return primary;
}

/** Three cycles of failing persistence: the debounce lets the state reach Critical. */
export function criticalCase(): DecidedCase {
  const snapshot = snapshotOf(persistenceFailing());
  let state: EngineState | null = null;
  let decision = evaluate({ snapshot, state }).decision;
  for (let cycle = 0; cycle < 4; cycle += 1) {
    const result = evaluate({ snapshot, state });
    state = result.state;
    decision = result.decision;
  }
  return { snapshot, decision, overrides: undefined };
}

export function windowOf(decision: Decision, values: readonly number[]): WindowEntry[] {
  return values.map((backlog, index) => ({
    at: new Date(Date.parse('2026-11-27T12:00:00.000Z') - (values.length - index) * 30_000).toISOString(),
    health_state: decision.health_state,
    fingerprint: decision.fingerprint,
    throughput_per_sec: 40,
    completion_rate: 0.99,
    backlog_age_sec: backlog,
    state_transition_latency_p99_ms: 120,
    persistence_latency_p99_ms: 80,
    firing_rules: decision.firing.map((finding) => finding.rule_id),
  }));
}

export function logPattern(signature: string, service: string, count: number): LogPattern {
  return {
    signature_id: signature,
    pattern: signature.replaceAll('_', ' '),
    service,
    count,
    sample_message: null,
    window_start: '2026-11-27T11:55:00.000Z',
    window_end: '2026-11-27T12:00:00.000Z',
  };
}

export function rulesOnly(decision: Decision, logPatterns: readonly LogPattern[] = []) {
  return explainWithRules({ decision, logPatterns });
}
