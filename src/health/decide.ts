import type { HealthState, KnownHealthState, RuleFinding, RuleLevel } from '../models/index.ts';
import type { RuleEvaluation, RuleEvaluations } from './gates.ts';
import { counts } from './gates.ts';
import type { RuleKind } from './rules.ts';

/** Consecutive cycles with a critical gate firing before a non-critical cluster is declared Critical (≈ 90 s). */
export const CONSECUTIVE_CRITICAL_THRESHOLD = 3;

/** Why the state was chosen; used by the explanation and the tests, never stored as a contract. */
export type DecisionPath =
  | 'idle'
  | 'critical_gate'
  | 'recovery_band'
  | 'stressed_gate'
  | 'default_stressed'
  | 'healthy'
  | 'unconfirmed';

export interface StateDecision {
  state: HealthState;
  consecutiveCritical: number;
  findings: RuleFinding[];
  path: DecisionPath;
}

const LEVEL_BY_KIND: Record<RuleKind, RuleLevel> = {
  critical: 'critical',
  stressed: 'stressed',
  recovery: 'stressed',
  healthy: 'not_happy',
};

function toFinding(evaluation: RuleEvaluation): RuleFinding[] {
  if (evaluation.status !== 'holds' || evaluation.value === null) return [];
  const { rule } = evaluation;
  return [
    {
      rule_id: rule.id,
      signal: rule.signal,
      value: evaluation.value,
      threshold: evaluation.threshold,
      comparison: rule.comparison,
      level: LEVEL_BY_KIND[rule.kind],
      suppressed: evaluation.suppressed,
    },
  ];
}

const findingsOf = (list: RuleEvaluation[]): RuleFinding[] => list.flatMap(toFinding);
const anyHolds = (list: RuleEvaluation[]): boolean => list.some((evaluation) => evaluation.status === 'holds');
const allEvaluated = (list: RuleEvaluation[]): boolean => list.every((evaluation) => evaluation.status !== 'no_data');

/**
 * The state machine step (reference §2.3, with the fixes of the brief): idle → Happy; a counted critical gate
 * increments the debounce counter and is Critical at 3 (or at once when the previous known state was already
 * Critical, so a restart does not downgrade it), never straight from Happy; otherwise the counter resets, the
 * recovery band holds Critical clusters at Stressed, stressed gates give Stressed, healthy gates give Happy, a failed
 * healthy gate gives Stressed, and a Happy that missing data cannot confirm is `unknown`.
 */
export function decideState(input: {
  evaluations: RuleEvaluations;
  idle: boolean;
  /** Idle could be neither claimed nor ruled out for lack of data (a quiet cluster or a stalled one). */
  possiblyIdle: boolean;
  previousKnown: KnownHealthState | null;
  previousCount: number;
}): StateDecision {
  const { evaluations, idle, possiblyIdle, previousKnown, previousCount } = input;
  if (idle) return { state: 'happy', consecutiveCritical: 0, findings: [], path: 'idle' };

  const criticalFindings = findingsOf(evaluations.critical);
  const stressedFindings = findingsOf(evaluations.stressed);
  if (evaluations.critical.some(counts)) {
    const count = previousCount + 1;
    const debounced = count >= CONSECUTIVE_CRITICAL_THRESHOLD || previousKnown === 'critical';
    // The invariant: Happy never becomes Critical in one evaluation, whatever the counter says.
    const state = debounced && previousKnown !== 'happy' ? 'critical' : 'stressed';
    return {
      state,
      consecutiveCritical: count,
      findings: [...criticalFindings, ...stressedFindings],
      path: 'critical_gate',
    };
  }

  const base = { consecutiveCritical: 0 };
  if (previousKnown === 'critical' && anyHolds(evaluations.recovery)) {
    const findings = [...criticalFindings, ...findingsOf(evaluations.recovery), ...stressedFindings];
    return { ...base, state: 'stressed', findings, path: 'recovery_band' };
  }
  if (anyHolds(evaluations.stressed)) {
    return { ...base, state: 'stressed', findings: [...criticalFindings, ...stressedFindings], path: 'stressed_gate' };
  }
  // Quiet or stalled cannot be told apart without the missing idle inputs: neither Happy nor Stressed is earned.
  if (possiblyIdle) return { ...base, state: 'unknown', findings: criticalFindings, path: 'unconfirmed' };
  if (anyHolds(evaluations.healthy)) {
    const findings = [...criticalFindings, ...findingsOf(evaluations.healthy)];
    return { ...base, state: 'stressed', findings, path: 'default_stressed' };
  }
  // Happy must be confirmed by data: every healthy gate and every critical gate evaluated.
  if (allEvaluated(evaluations.healthy) && allEvaluated(evaluations.critical)) {
    return { ...base, state: 'happy', findings: criticalFindings, path: 'healthy' };
  }
  return { ...base, state: 'unknown', findings: criticalFindings, path: 'unconfirmed' };
}
