import type { HealthState, NearestEscalation } from '../models/index.ts';
import type { RuleEvaluation, RuleEvaluations } from './gates.ts';

function headroomRatio(evaluation: RuleEvaluation & { value: number }): number {
  const { value, threshold } = evaluation;
  return evaluation.rule.comparison === 'above' ? (threshold - value) / threshold : (value - threshold) / threshold;
}

/**
 * The rule closest to raising the state above `state`: from Happy any stressed or critical rule, from Stressed any
 * critical rule; none from Critical or unknown. Only rules evaluated with data, not holding, with an open demand gate
 * and a non-zero threshold qualify. Headroom is the distance to the threshold as a fraction of the threshold.
 */
export function nearestEscalation(input: {
  evaluations: RuleEvaluations;
  state: HealthState;
}): NearestEscalation | null {
  const { evaluations, state } = input;
  const candidates: RuleEvaluation[] =
    state === 'happy'
      ? [...evaluations.critical, ...evaluations.stressed]
      : state === 'stressed'
        ? [...evaluations.critical]
        : [];
  let best: NearestEscalation | null = null;
  for (const evaluation of candidates) {
    const { value, threshold, rule } = evaluation;
    if (evaluation.status !== 'clear' || value === null || threshold === 0) continue;
    const headroom = headroomRatio({ ...evaluation, value });
    if (best !== null && headroom >= best.headroom_ratio) continue;
    best = {
      rule_id: rule.id,
      signal: rule.signal,
      value,
      threshold,
      comparison: rule.comparison,
      level: rule.kind === 'critical' ? 'critical' : 'stressed',
      headroom_ratio: headroom,
    };
  }
  return best;
}
