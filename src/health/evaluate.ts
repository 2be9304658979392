import type {
  DataQuality,
  Decision,
  EngineState,
  HealthState,
  KnownHealthState,
  ScaleBand,
  SignalsSnapshot,
  ThresholdOverrides,
} from '../models/index.ts';
import { classifyScaleBand } from './bands.ts';
import { assessWorkers } from './bottleneck.ts';
import { checkIdleAndStalls, checkSystemBusy, coreSignals } from './context.ts';
import { decideState } from './decide.ts';
import { nearestEscalation } from './escalation.ts';
import { decisionFingerprint } from './fingerprint.ts';
import type { RuleEvaluations } from './gates.ts';
import { counts, evaluateRules } from './gates.ts';
import { looksStalled, progressCollapsed, progressEvidence, updateBaseline } from './progress.ts';
import { serviceStatuses } from './services.ts';
import { getThresholdProfile } from './thresholds.ts';

/** Version of the rulebook; stored with every decision so a verdict can be traced to the rules that made it. */
export const RULE_VERSION = '2026.12.1';

export interface EvaluateInput {
  snapshot: SignalsSnapshot;
  /** The state carried from the previous cycle; null on the first cycle. */
  state: EngineState | null;
  overrides?: ThresholdOverrides;
  /** Band hint (from the deployment preset) used when there is no carried band. */
  initialBand?: ScaleBand;
}

export interface EvaluateResult {
  decision: Decision;
  state: EngineState;
}

/** The engine state before any cycle: nothing known, no debounce, optionally a band from the deployment preset. */
export function initialEngineState(band?: ScaleBand | null): EngineState {
  return {
    health_state: 'unknown',
    last_known_state: null,
    consecutive_critical: 0,
    scale_band: band ?? null,
    progress_baseline: null,
  };
}

function previousKnownState(state: EngineState | null): KnownHealthState | null {
  if (state === null) return null;
  return state.health_state === 'unknown' ? state.last_known_state : state.health_state;
}

function unevaluatedRules(input: {
  evaluations: RuleEvaluations;
  includeRecovery: boolean;
  idleUndetermined: boolean;
  busyUndetermined: boolean;
}): string[] {
  const { evaluations } = input;
  const groups = [evaluations.critical, evaluations.stressed, evaluations.healthy];
  if (input.includeRecovery) groups.push(evaluations.recovery);
  const ids: string[] = groups
    .flat()
    .flatMap((evaluation) => (evaluation.status === 'no_data' ? [evaluation.rule.id] : []));
  if (input.idleUndetermined) ids.push('context.idle');
  if (input.busyUndetermined) ids.push('context.system_busy');
  return [...new Set(ids)];
}

/**
 * One engine step: decide the health of `snapshot.primary` given the carried `state`. Pure and deterministic (no
 * clock, no randomness, no I/O), so it runs inside Temporal workflows. See docs/health-engine.md for the rules.
 * @throws AppError CONFIG_INVALID when `overrides` break threshold ordering for the band in use.
 */
export function evaluate(input: EvaluateInput): EvaluateResult {
  const { snapshot, state } = input;
  const primary = snapshot.primary;
  const previousBand = state?.scale_band ?? input.initialBand ?? null;
  const previousKnown = previousKnownState(state);
  const previousCount = state?.consecutive_critical ?? 0;
  const blind = coreSignals(primary).every((value) => value === null);

  const band = blind
    ? (previousBand ?? 'starter')
    : classifyScaleBand({ throughputPerSec: primary.state_transitions.throughput_per_sec, previous: previousBand });
  const profile = getThresholdProfile(input.overrides ? { band, overrides: input.overrides } : { band });
  const baseline = state?.progress_baseline ?? null;
  const progress = progressEvidence({ primary, baseline });
  const idle = checkIdleAndStalls({ primary, progressCollapsed: progressCollapsed(progress) });
  const busy = checkSystemBusy(primary);
  const evaluations = evaluateRules({
    primary,
    profile,
    progress,
    systemBusy: busy.value,
    possiblyIdle: idle.undetermined || idle.quietButStalled,
  });
  const stalled =
    looksStalled({ primary, baseline }) ||
    evaluations.critical.some(
      (evaluation) =>
        (evaluation.rule.id === 'critical.progress_stall' || evaluation.rule.id === 'critical.dispatch_stall') &&
        counts(evaluation),
    );
  const unevaluated = unevaluatedRules({
    evaluations,
    includeRecovery: previousKnown === 'critical',
    idleUndetermined: idle.undetermined,
    busyUndetermined: busy.undetermined,
  });
  const decided = blind
    ? { state: 'unknown' as const, consecutiveCritical: previousCount, findings: [], path: 'unconfirmed' as const }
    : decideState({ evaluations, idle: idle.value, possiblyIdle: idle.undetermined, previousKnown, previousCount });
  // Partial means a gate or context check could not be judged for lack of data. A null that no rule needs this
  // cycle (a latency whose demand gate is closed, a poll ratio on a quiet queue) does not degrade the decision: on a
  // real quiet server that made every decision partial and idle unconfirmable.
  const dataQuality: DataQuality = blind ? 'blind' : unevaluated.length === 0 ? 'complete' : 'partial';
  const healthState: HealthState = decided.state;
  const workers = assessWorkers({ snapshot, profile, state: healthState });
  const services = blind
    ? (['frontend', 'history', 'matching', 'persistence', 'workers'] as const).map((name) => ({
        name,
        status: 'unknown' as const,
        reasons: [],
      }))
    : serviceStatuses({
        clusterState: healthState,
        idle: idle.value,
        findings: decided.findings,
        evaluations,
        bottleneck: workers.bottleneck,
      });
  const countedIds = decided.findings.filter((finding) => !finding.suppressed).map((finding) => finding.rule_id);

  const decision: Decision = {
    at: snapshot.at,
    cluster: snapshot.cluster,
    health_state: healthState,
    previous_state: state?.health_state ?? 'unknown',
    scale_band: band,
    consecutive_critical: decided.consecutiveCritical,
    idle: !blind && idle.value,
    system_busy: !blind && busy.value,
    firing: decided.findings,
    nearest_escalation: nearestEscalation({ evaluations, state: healthState }),
    data_quality: dataQuality,
    unevaluated_rules: unevaluated,
    services,
    bottleneck: workers.bottleneck,
    worker_advisories: workers.advisories,
    fingerprint: decisionFingerprint({ healthState, band, dataQuality, ruleIds: countedIds }),
    rule_version: RULE_VERSION,
    progress,
  };
  const nextState: EngineState = {
    health_state: healthState,
    last_known_state: healthState === 'unknown' ? previousKnown : healthState,
    consecutive_critical: decided.consecutiveCritical,
    scale_band: blind ? previousBand : band,
    progress_baseline: blind ? baseline : updateBaseline({ baseline, primary, atMs: Date.parse(snapshot.at), stalled }),
  };
  return { decision, state: nextState };
}
