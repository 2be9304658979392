import { getThresholdProfile } from '../health/index.ts';
import type {
  Decision,
  Explanation,
  HealthState,
  KnowledgePassage,
  LogPattern,
  RuleFinding,
  SignalsSnapshot,
  ThresholdOverrides,
  WindowEntry,
} from '../models/index.ts';
import type { EvidenceService, SignalItem, TrendItem } from './evidence-signals.ts';
import { measuredItems, primaryItems, serviceOfSignal, trendItems } from './evidence-signals.ts';

export type { EvidenceService, SignalItem, SignalLevel, TrendItem } from './evidence-signals.ts';
export { serviceOfSignal } from './evidence-signals.ts';

/**
 * The evidence bundle: everything a model may see about one decision, pre-aggregated, and nothing else. Pure and
 * deterministic (same inputs → byte-identical JSON), bounded (at most `EVIDENCE_TOKEN_BUDGET` estimated tokens)
 * and in a stable order. Every item carries an `id` the answer can cite; verification checks that cited ids exist
 * and that every number in the answer is one of this bundle's numbers.
 */

/** Upper bound on the bundle's size in tokens, estimated as `EVIDENCE_CHARS_PER_TOKEN` JSON characters per token. */
export const EVIDENCE_TOKEN_BUDGET = 6000;
/** JSON with ids and numbers tokenizes denser than prose; 3 characters per token errs on the large side. */
export const EVIDENCE_CHARS_PER_TOKEN = 3;

const MAX_LOG_PATTERNS = 10;
const MAX_KNOWLEDGE = 5;
const MAX_KNOWLEDGE_CHARS = 1200;
const MAX_TEXT_CHARS = 300;
const MAX_SUMMARY_CHARS = 800;
const MAX_RULE_ISSUES = 10;

export interface EvidenceInput {
  decision: Decision;
  snapshot: SignalsSnapshot;
  /**
   * The cluster's threshold overrides, exactly as the engine got them. Required (pass `undefined` for none) so that
   * no caller silently shows the model the bare band thresholds when the decision used overridden ones.
   */
  overrides: ThresholdOverrides | undefined;
  window: readonly WindowEntry[];
  logPatterns: readonly LogPattern[];
  /** The rules-only explanation of the same decision: the model improves on it, it does not start from nothing. */
  rulesAssessment: Explanation;
  knowledge?: readonly KnowledgePassage[];
}

export interface EvidenceBundle {
  token_budget: number;
  cluster: string;
  at: string;
  decision: {
    id: 'decision';
    health_state: HealthState;
    previous_state: HealthState;
    scale_band: string;
    data_quality: string;
    consecutive_critical: number;
    idle: boolean;
    system_busy: boolean;
    rule_version: string;
    unevaluated_rules: string[];
  };
  firing: {
    id: string;
    rule_id: string;
    signal: string;
    service: EvidenceService;
    value: number;
    threshold: number;
    comparison: string;
    level: string;
    suppressed: boolean;
  }[];
  nearest_escalation: {
    id: 'escalation';
    rule_id: string;
    signal: string;
    value: number;
    threshold: number;
    level: string;
    headroom_ratio: number;
  } | null;
  primary: SignalItem[];
  amplifiers: SignalItem[];
  worker: SignalItem[];
  trends: TrendItem[];
  state_history: { id: 'trend:states'; states: HealthState[]; changes: number };
  log_patterns: { id: string; signature_id: string; service: string; count: number }[];
  services: { id: string; name: string; status: HealthState; reasons: string[] }[];
  bottleneck: { id: 'bottleneck'; classification: string; server_reasons: string[]; worker_reasons: string[] };
  worker_advisories: { id: string; rule: string; severity: string; message: string }[];
  knowledge: { id: string; source: string; text: string }[];
  rules_assessment: {
    id: 'rules';
    summary: string;
    issues: { id: string; severity: string; title: string; rule_id: string | null }[];
  };
  /** Sections shortened to stay within the budget, in the order they were cut. */
  omitted: string[];
}

function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

function byId<T extends { id: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** `rule:<id>`; a rule that fires on several signals (recovery.near_critical) gets one id per signal. */
function firingId(finding: RuleFinding, all: readonly RuleFinding[]): string {
  const shared = all.filter((other) => other.rule_id === finding.rule_id).length > 1;
  return shared ? `rule:${finding.rule_id}:${finding.signal.replace(/^primary\./, '')}` : `rule:${finding.rule_id}`;
}

/** The profile `evaluate` used for this decision: the same function over the same band and overrides. */
function decisionProfile(decision: Decision, overrides: ThresholdOverrides | undefined) {
  return getThresholdProfile(overrides ? { band: decision.scale_band, overrides } : { band: decision.scale_band });
}

function logItems(patterns: readonly LogPattern[]): EvidenceBundle['log_patterns'] {
  // Sum repeated windows of the same signature and service, then the busiest first (ties by id).
  const totals = new Map<string, { signature_id: string; service: string; count: number }>();
  for (const pattern of patterns) {
    const id = `log:${pattern.signature_id}:${pattern.service}`;
    const entry = totals.get(id) ?? { signature_id: pattern.signature_id, service: pattern.service, count: 0 };
    entry.count += pattern.count;
    totals.set(id, entry);
  }
  return [...totals.entries()]
    .map(([id, entry]) => ({ id, ...entry }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1))
    .slice(0, MAX_LOG_PATTERNS);
}

function stateHistory(window: readonly WindowEntry[]): EvidenceBundle['state_history'] {
  const states = [...window].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((entry) => entry.health_state);
  const changes = states.filter((state, index) => index > 0 && state !== states[index - 1]).length;
  return { id: 'trend:states', states, changes };
}

/** Build the bundle. Pure; the result's estimated size never exceeds `EVIDENCE_TOKEN_BUDGET`. */
export function buildEvidence(input: EvidenceInput): EvidenceBundle {
  const { decision, snapshot } = input;
  const escalation = decision.nearest_escalation;
  const bundle: EvidenceBundle = {
    token_budget: EVIDENCE_TOKEN_BUDGET,
    cluster: decision.cluster,
    at: decision.at,
    decision: {
      id: 'decision',
      health_state: decision.health_state,
      previous_state: decision.previous_state,
      scale_band: decision.scale_band,
      data_quality: decision.data_quality,
      consecutive_critical: decision.consecutive_critical,
      idle: decision.idle,
      system_busy: decision.system_busy,
      rule_version: decision.rule_version,
      unevaluated_rules: [...decision.unevaluated_rules].sort(),
    },
    firing: byId(
      decision.firing.map((finding) => ({
        id: firingId(finding, decision.firing),
        rule_id: finding.rule_id,
        signal: finding.signal,
        service: serviceOfSignal(finding.signal),
        value: finding.value,
        threshold: finding.threshold,
        comparison: finding.comparison,
        level: finding.level,
        suppressed: finding.suppressed,
      })),
    ),
    nearest_escalation: escalation && {
      id: 'escalation',
      rule_id: escalation.rule_id,
      signal: escalation.signal,
      value: escalation.value,
      threshold: escalation.threshold,
      level: escalation.level,
      headroom_ratio: escalation.headroom_ratio,
    },
    primary: primaryItems({ decision, snapshot, profile: decisionProfile(decision, input.overrides) }),
    amplifiers: measuredItems('amplifiers', snapshot),
    worker: [...measuredItems('worker', snapshot), ...measuredItems('worker_amplifiers', snapshot)],
    trends: trendItems(input.window),
    state_history: stateHistory(input.window),
    log_patterns: logItems(input.logPatterns),
    services: byId(
      decision.services.map((service) => ({
        id: `service:${service.name}`,
        name: service.name,
        status: service.status,
        reasons: [...service.reasons].sort(),
      })),
    ),
    bottleneck: {
      id: 'bottleneck',
      classification: decision.bottleneck.classification,
      server_reasons: decision.bottleneck.server_reasons.map((reason) => clip(reason, MAX_TEXT_CHARS)),
      worker_reasons: decision.bottleneck.worker_reasons.map((reason) => clip(reason, MAX_TEXT_CHARS)),
    },
    worker_advisories: byId(
      [...new Map(decision.worker_advisories.map((advisory) => [advisory.rule, advisory])).values()].map(
        (advisory) => ({
          id: `advisory:${advisory.rule}`,
          rule: advisory.rule,
          severity: advisory.severity,
          message: clip(advisory.message, MAX_TEXT_CHARS),
        }),
      ),
    ),
    knowledge: (input.knowledge ?? []).slice(0, MAX_KNOWLEDGE).map((passage, index) => ({
      id: `kb:${index + 1}`,
      source: clip(passage.source, MAX_TEXT_CHARS),
      text: clip(passage.text, MAX_KNOWLEDGE_CHARS),
    })),
    rules_assessment: {
      id: 'rules',
      summary: clip(input.rulesAssessment.summary, MAX_SUMMARY_CHARS),
      issues: input.rulesAssessment.issues.slice(0, MAX_RULE_ISSUES).map((issue, index) => ({
        id: `rules:issue:${index + 1}`,
        severity: issue.severity,
        title: clip(issue.title, MAX_TEXT_CHARS),
        rule_id: issue.rule_id,
      })),
    },
    omitted: [],
  };
  return withinBudget(bundle);
}

/** Estimated tokens of the bundle as it is sent (compact JSON). */
export function estimateTokens(bundle: EvidenceBundle): number {
  return Math.ceil(JSON.stringify(bundle).length / EVIDENCE_CHARS_PER_TOKEN);
}

/**
 * Cut the least decisive sections first until the bundle fits: knowledge passages, then amplifiers, worker values,
 * trends, bottleneck reasons and log patterns. The decision, firing rules and primary values are never cut.
 */
function withinBudget(bundle: EvidenceBundle): EvidenceBundle {
  const cuts: [string, (b: EvidenceBundle) => boolean][] = [
    ['knowledge', (b) => b.knowledge.pop() !== undefined],
    ['amplifiers', (b) => b.amplifiers.pop() !== undefined],
    ['worker', (b) => b.worker.pop() !== undefined],
    ['trends', (b) => b.trends.pop() !== undefined],
    [
      'bottleneck',
      (b) => b.bottleneck.server_reasons.pop() !== undefined || b.bottleneck.worker_reasons.pop() !== undefined,
    ],
    ['log_patterns', (b) => b.log_patterns.pop() !== undefined],
    ['rules_assessment', (b) => b.rules_assessment.issues.pop() !== undefined],
  ];
  for (const [section, cut] of cuts) {
    while (estimateTokens(bundle) > EVIDENCE_TOKEN_BUDGET && cut(bundle)) {
      if (!bundle.omitted.includes(section)) bundle.omitted.push(section);
    }
  }
  return bundle;
}

/** Every id the bundle defines, for citation checks. */
export function evidenceIds(bundle: EvidenceBundle): Set<string> {
  const ids = new Set<string>(['decision', 'bottleneck', 'rules', bundle.state_history.id]);
  if (bundle.nearest_escalation) ids.add(bundle.nearest_escalation.id);
  const lists: readonly { id: string }[][] = [
    bundle.firing,
    bundle.primary,
    bundle.amplifiers,
    bundle.worker,
    bundle.trends,
    bundle.log_patterns,
    bundle.services,
    bundle.worker_advisories,
    bundle.knowledge,
    bundle.rules_assessment.issues,
  ];
  for (const list of lists) for (const item of list) ids.add(item.id);
  return ids;
}
