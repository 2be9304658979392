import { CONSECUTIVE_CRITICAL_THRESHOLD } from '../health/index.ts';
import type {
  Decision,
  Explanation,
  Issue,
  LogPattern,
  RuleFinding,
  SuggestedAction,
  WindowEntry,
} from '../models/index.ts';
import type { RuleAdvice } from './rule-advice.ts';
import { RULE_ADVICE } from './rule-advice.ts';

/**
 * The rules-only explainer: turns a decision (and the recent log patterns) into a summary, issues and suggested
 * actions without any model. Pure and deterministic, so it also runs inside a workflow as the fallback when the
 * explainer activity fails or times out. It never claims more than the decision says: only a Happy decision on
 * complete data is described as "all primary signals within thresholds".
 */

export interface RulesExplainInput {
  decision: Decision;
  logPatterns: readonly LogPattern[];
  window?: readonly WindowEntry[];
}

const MAX_RELATED_LOGS = 3;

/** The Temporal service a primary signal belongs to, for `target_service`. */
function serviceOf(signal: string): string {
  const group = signal.split('.')[1] ?? '';
  switch (group) {
    case 'frontend':
      return 'frontend';
    case 'matching':
    case 'poller':
      return 'matching';
    case 'persistence':
      return 'persistence';
    default:
      return 'history';
  }
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function describeFinding(finding: RuleFinding): string {
  return `${finding.signal} = ${formatNumber(finding.value)} (${finding.comparison} threshold ${formatNumber(finding.threshold)})`;
}

function countingFindings(decision: Decision): RuleFinding[] {
  return decision.firing.filter((finding) => !finding.suppressed);
}

function likelyCause(finding: RuleFinding): string {
  switch (serviceOf(finding.signal)) {
    case 'persistence':
      return 'The persistence store is slow or failing (contention, OCC conflicts, connection limits).';
    case 'frontend':
      return 'Frontend requests are slow: check request volume, rate limits and downstream latency.';
    case 'matching':
      return 'Tasks wait for pollers: workers may be too few, saturated or unable to reach the cluster.';
    default:
      return finding.level === 'critical'
        ? 'History is not making forward progress: check persistence health, shard ownership and history hosts.'
        : 'History is slower than the band allows: check persistence latency and history host resources.';
  }
}

function relatedLogs(patterns: readonly LogPattern[], service: string): string[] {
  return patterns
    .filter((pattern) => pattern.count > 0 && (pattern.service === service || service === 'history'))
    .slice(0, MAX_RELATED_LOGS)
    .map((pattern) => `${pattern.signature_id} (${pattern.service}) x${pattern.count}`);
}

function actionFor(finding: RuleFinding): SuggestedAction {
  const service = serviceOf(finding.signal);
  return {
    action_type: 'investigate',
    target_service: service,
    description: `Investigate ${service}: ${describeFinding(finding)}.`,
    parameters: { rule_id: finding.rule_id },
    risk_level: 'low',
    confidence: finding.level === 'critical' ? 0.7 : 0.5,
  };
}

/** Findings carry rule ids as plain strings (they are stored and served); look them up without trusting them. */
const ADVICE_BY_RULE: ReadonlyMap<string, RuleAdvice> = new Map(Object.entries(RULE_ADVICE));

function adviceFor(ruleId: string): RuleAdvice | undefined {
  return ADVICE_BY_RULE.get(ruleId);
}

function advisedActions(finding: RuleFinding, advice: RuleAdvice): SuggestedAction[] {
  return advice.actions.map((action) => ({ ...action, parameters: { rule_id: finding.rule_id } }));
}

function issueFor(finding: RuleFinding, patterns: readonly LogPattern[]): Issue {
  const service = serviceOf(finding.signal);
  const advice = adviceFor(finding.rule_id);
  return {
    severity: finding.level === 'critical' ? 'critical' : 'warning',
    title: advice?.title ?? `${finding.rule_id}: ${finding.signal} ${finding.comparison} threshold`,
    description: describeFinding(finding),
    likely_cause: advice?.likelyCause ?? likelyCause(finding),
    suggested_actions: advice ? advisedActions(finding, advice) : [actionFor(finding)],
    related_signals: [finding.signal],
    related_logs: relatedLogs(patterns, service),
    rule_id: finding.rule_id,
  };
}

const BLIND_ACTION: SuggestedAction = {
  action_type: 'investigate',
  target_service: 'copilot',
  description:
    'Check that the copilot can query Prometheus/AMP for this cluster (URL, SigV4 settings, label selector); run `copilot doctor`.',
  parameters: {},
  risk_level: 'low',
  confidence: 0.9,
};

function dataNote(decision: Decision): string {
  const count = decision.unevaluated_rules.length;
  if (decision.data_quality === 'complete' || count === 0) return '';
  return ` ${count} rule(s) could not be evaluated for lack of data (${decision.unevaluated_rules.slice(0, 5).join(', ')}).`;
}

function trendNote(window: readonly WindowEntry[] | undefined): string {
  if (!window || window.length < 2) return '';
  const states = window.map((entry) => entry.health_state);
  const changes = states.filter((state, index) => index > 0 && state !== states[index - 1]).length;
  return changes === 0 ? '' : ` The state changed ${changes} time(s) over the last ${window.length} cycles.`;
}

function summaryOf(decision: Decision, findings: readonly RuleFinding[], window?: readonly WindowEntry[]): string {
  const cluster = decision.cluster;
  // Two rules on one signal (a stressed and a critical one) read the same: say the reading once.
  const listed = [...new Set(findings.map(describeFinding))].join('; ');
  const note = dataNote(decision) + trendNote(window);
  const state = decision.health_state;
  switch (state) {
    case 'happy':
      return decision.data_quality === 'complete'
        ? `Cluster ${cluster} is happy: it is making forward progress and all primary signals are within the ${decision.scale_band} band's thresholds.${note}`
        : `Cluster ${cluster} is happy on the signals that have data: it is making forward progress.${note}`;
    case 'stressed': {
      // Critical rules firing under the debounce mean progress may already be impaired: say so, and when it escalates.
      if (findings.some((finding) => finding.level === 'critical')) {
        const remaining = Math.max(1, CONSECUTIVE_CRITICAL_THRESHOLD - decision.consecutive_critical);
        const when =
          decision.previous_state === 'happy' && decision.consecutive_critical >= CONSECUTIVE_CRITICAL_THRESHOLD
            ? 'at the next cycle if they hold (it never jumps from Happy to Critical in one step)'
            : `if they hold for ${remaining} more cycle(s)`;
        return `Cluster ${cluster} is stressed and its forward progress may be impaired: critical rule(s) fire and it becomes Critical ${when}. ${findings.length} rule(s) fire: ${listed}.${note}`;
      }
      return `Cluster ${cluster} is stressed: it is making forward progress, but ${findings.length} rule(s) fire: ${listed || 'none counted this cycle'}.${note}`;
    }
    case 'critical':
      return `Cluster ${cluster} is critical: forward progress is impaired. ${findings.length} rule(s) fire: ${listed || 'held by debounce'}.${note}`;
    case 'unknown':
      return decision.data_quality === 'blind'
        ? `Health of cluster ${cluster} is unknown: the copilot has no data for the primary signals, so it cannot say whether the cluster is making progress.${note}`
        : `Health of cluster ${cluster} is unknown: the signals that decide it have no data.${note}`;
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

/** One entry per distinct action (several rules often advise the same check), most confident first; stable. */
function rankActions(actions: readonly SuggestedAction[]): SuggestedAction[] {
  const seen = new Set<string>();
  const unique = actions.filter((action) => {
    const key = `${action.action_type}:${action.target_service}:${action.description}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique
    .map((action, index) => ({ action, index }))
    .sort((a, b) => b.action.confidence - a.action.confidence || a.index - b.index)
    .map(({ action }) => action);
}

/** Explain a decision with rules only. Pure; `explain_duration_ms` is 0 (the caller measures wall time if it can). */
export function explainWithRules(input: RulesExplainInput): Explanation {
  const findings = countingFindings(input.decision);
  const issues = findings.map((finding) => issueFor(finding, input.logPatterns));
  const actions = rankActions(issues.flatMap((issue) => issue.suggested_actions));
  if (input.decision.health_state === 'unknown' || input.decision.data_quality === 'blind') actions.push(BLIND_ACTION);
  return {
    summary: summaryOf(input.decision, findings, input.window),
    issues,
    recommended_actions: actions,
    explainer: 'rules',
    explain_duration_ms: 0,
  };
}
