import type { PrimarySignals, ProgressEvidence, ThresholdProfile } from '../models/index.ts';
import { progressEvidence } from './progress.ts';
import type { Rule } from './rules.ts';
import { CRITICAL_RULES, HEALTHY_RULES, RECOVERY_RULES, STRESSED_RULES } from './rules.ts';

/**
 * `holds`: the comparison is true (critical/stressed/recovery rule fires, healthy gate fails); `clear`: evaluated
 * and false; `demand_closed`: too little traffic for the rule to apply (counts as evaluated, not holding);
 * `no_data`: the value or its demand gate's input is null, so the rule could not be evaluated.
 */
export type RuleStatus = 'holds' | 'clear' | 'demand_closed' | 'no_data';

export interface RuleEvaluation {
  rule: Rule;
  status: RuleStatus;
  value: number | null;
  threshold: number;
  /** Holds, but system-busy context keeps it from counting. */
  suppressed: boolean;
}

export interface RuleEvaluations {
  critical: RuleEvaluation[];
  recovery: RuleEvaluation[];
  stressed: RuleEvaluation[];
  healthy: RuleEvaluation[];
}

function compare(rule: Rule, value: number, threshold: number): boolean {
  return rule.comparison === 'above' ? value > threshold : value < threshold;
}

function evaluateRule(input: {
  rule: Rule;
  primary: PrimarySignals;
  profile: ThresholdProfile;
  progress: ProgressEvidence;
  systemBusy: boolean;
  possiblyIdle: boolean;
}): RuleEvaluation {
  const { rule, primary, profile, progress, systemBusy, possiblyIdle } = input;
  const value = rule.read(primary, progress);
  const threshold = rule.threshold(profile);
  const base = { rule, value, threshold, suppressed: false };
  const demand = rule.demand ? rule.demand(primary, profile, progress) : true;
  if (demand === null) return { ...base, status: 'no_data' };
  if (!demand) return { ...base, status: 'demand_closed' };
  if (value === null) return { ...base, status: 'no_data' };
  if (!compare(rule, value, threshold)) return { ...base, status: 'clear' };
  // Low throughput is collapse only on a cluster that has work: during a retention storm, or while missing data
  // leaves open that the cluster is simply quiet, these floors say nothing about forward progress.
  // A demand drop (callers stopped) likewise: fewer transitions because fewer were asked for is not a collapse.
  const quiet = systemBusy || possiblyIdle || progress.demand_dropped;
  return { ...base, status: 'holds', suppressed: quiet && rule.suppressedWhenBusy };
}

/**
 * Evaluate every rule against one profile. Pure; the caller decides which groups matter for the state.
 * `possiblyIdle`: no present signal rules idle out, but some idle input has no data.
 */
export function evaluateRules(input: {
  primary: PrimarySignals;
  profile: ThresholdProfile;
  progress: ProgressEvidence;
  systemBusy: boolean;
  possiblyIdle: boolean;
}): RuleEvaluations {
  const run = (rules: readonly Rule[]): RuleEvaluation[] => rules.map((rule) => evaluateRule({ ...input, rule }));
  return {
    critical: run(CRITICAL_RULES),
    recovery: run(RECOVERY_RULES),
    stressed: run(STRESSED_RULES),
    healthy: run(HEALTHY_RULES),
  };
}

/** True when the rule holds and counts (not suppressed). */
export const counts = (evaluation: RuleEvaluation): boolean => evaluation.status === 'holds' && !evaluation.suppressed;

/**
 * The raw gate level of one profile's rules, before idle, system-busy, debounce, recovery and the invariant:
 * 2 when a critical gate holds, 1 when a stressed gate holds or a healthy gate fails, else 0.
 */
export function rawGateLevel(input: {
  primary: PrimarySignals;
  profile: ThresholdProfile;
  progress?: ProgressEvidence;
}): 0 | 1 | 2 {
  const progress = input.progress ?? progressEvidence({ primary: input.primary, baseline: null });
  const evaluations = evaluateRules({ ...input, progress, systemBusy: false, possiblyIdle: false });
  const holds = (list: RuleEvaluation[]): boolean => list.some((evaluation) => evaluation.status === 'holds');
  if (holds(evaluations.critical)) return 2;
  if (holds(evaluations.stressed) || holds(evaluations.healthy)) return 1;
  return 0;
}
