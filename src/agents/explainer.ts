import type {
  Decision,
  DispatchDecision,
  ExplainerCallRecord,
  Explanation,
  HealthState,
  KnowledgePassage,
  KnowledgeRetriever,
  LogPattern,
  SignalsSnapshot,
  ThresholdOverrides,
  WindowEntry,
} from '../models/index.ts';
import type { EvidenceBundle } from './evidence.ts';
import { buildEvidence } from './evidence.ts';
import { explanationOfAnswer, fromCache, modelUsageOf, withFallback } from './explainer-answer.ts';
import type { CallTotals, ExplainerModels } from './explainer-calls.ts';
import { dispatchStep, researchStep } from './explainer-calls.ts';
import type { Redactor } from './redact.ts';
import { createRedactor } from './redact.ts';
import { explainWithRules } from './rules-explainer.ts';

export type { CallTotals, ExplainerModels } from './explainer-calls.ts';

/**
 * The model explainer: rules-only explanation → cache → knowledge → redact → dispatcher → researcher (verified, one
 * retry) → restore. Whatever the model does the result is a valid explanation; the state is never part of it.
 * Split in two stages (`planExplanation`, `researchExplanation`) so that each runs as its own activity; the plan is
 * plain data (a Temporal payload) and the research stage rebuilds the same evidence and placeholders from it.
 */

export interface ExplainDecisionInput {
  decision: Decision;
  snapshot: SignalsSnapshot;
  window: readonly WindowEntry[];
  logPatterns: readonly LogPattern[];
  /** The cluster's threshold overrides exactly as the engine had them (undefined: none). */
  overrides: ThresholdOverrides | undefined;
}

export interface CachedExplanation {
  assessmentKey: string;
  explanation: Explanation;
}

export interface ExplainerDeps {
  /** Null: no model configured (COPILOT_LLM_PROVIDER=none); the rules explain, no reason recorded. */
  models: ExplainerModels | null;
  knowledge?: KnowledgeRetriever;
  /** A stored model answer for the same cluster, fingerprint and rule version (the store's cache). */
  cached?: (key: { cluster: string; fingerprint: string; ruleVersion: string }) => Promise<CachedExplanation | null>;
  clock: () => number;
  signal?: AbortSignal;
  onCall?: (record: ExplainerCallRecord) => void;
}

/** Passages asked for; the bundle keeps at most five. */
export const KNOWLEDGE_LIMIT = 5;

export type ExplanationPlan =
  | { next: 'done'; explanation: Explanation }
  | {
      next: 'research';
      depth: 'quick' | 'deep';
      reason: string;
      knowledge: KnowledgePassage[];
      knowledgeError: string | null;
      totals: CallTotals;
    };

export interface PreparedEvidence {
  rules: Explanation;
  bundle: EvidenceBundle;
  redactor: Redactor;
  redacted: EvidenceBundle;
}

/** Evidence, rules-only explanation and its redacted form. Pure: the same input gives the same placeholders. */
export function prepareEvidence(input: ExplainDecisionInput, knowledge: readonly KnowledgePassage[]): PreparedEvidence {
  const rules = explainWithRules({ decision: input.decision, logPatterns: input.logPatterns, window: input.window });
  const bundle = buildEvidence({
    decision: input.decision,
    snapshot: input.snapshot,
    overrides: input.overrides,
    window: input.window,
    logPatterns: input.logPatterns,
    rulesAssessment: rules,
    knowledge,
  });
  const redactor = createRedactor({ clusters: [input.decision.cluster] });
  return { rules, bundle, redactor, redacted: redactor.redactDeep(bundle) };
}

/** The knowledge query: the firing rules and the signals above normal, words only (no values, no identifiers). */
export function knowledgeQuery(bundle: EvidenceBundle): string {
  const words = [
    ...bundle.firing.filter((finding) => !finding.suppressed).flatMap((finding) => [finding.rule_id, finding.signal]),
    ...bundle.primary
      .filter((item) => item.level === 'elevated' || item.level === 'high' || item.level === 'critical')
      .map((item) => item.signal),
    ...bundle.worker_advisories.map((advisory) => advisory.rule),
  ];
  const terms = [...new Set(words.flatMap((word) => word.split(/[._:]+/)).filter((term) => term.length > 2))];
  return terms.length > 0 ? terms.join(' ') : `temporal cluster ${bundle.decision.health_state}`;
}

async function retrieve(
  deps: ExplainerDeps,
  bundle: EvidenceBundle,
): Promise<{ passages: KnowledgePassage[]; error: string | null }> {
  if (!deps.knowledge) return { passages: [], error: null };
  try {
    const passages = await deps.knowledge.retrieve({
      query: knowledgeQuery(bundle),
      limit: KNOWLEDGE_LIMIT,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    return { passages, error: null };
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    // Knowledge improves an answer; its absence must not stop one.
    return { passages: [], error: (error instanceof Error ? error.message : String(error)).slice(0, 300) };
  }
}

type Depth = DispatchDecision['depth'];
const DEPTH_ORDER: readonly Depth[] = ['none', 'quick', 'deep'];

/**
 * The least depth a decided state gets, whatever the dispatcher says: a page (Critical) is always researched in
 * depth and a Stressed state at least quickly; only Happy and unknown may stay with the rules' words. A rule, not
 * the model's call: the real local model answered `none` for a Critical persistence storm.
 */
export const DEPTH_FLOOR: Readonly<Record<HealthState, Depth>> = {
  critical: 'deep',
  stressed: 'quick',
  happy: 'none',
  unknown: 'none',
};

function atLeastTheFloor(decision: DispatchDecision, state: HealthState): DispatchDecision {
  const floor = DEPTH_FLOOR[state];
  if (DEPTH_ORDER.indexOf(decision.depth) >= DEPTH_ORDER.indexOf(floor)) return decision;
  return { depth: floor, reason: `${decision.reason} (raised to ${floor}: a ${state} decision is always researched)` };
}

/** Stage one: cache, knowledge, dispatcher. `done` carries the final explanation (rules, cache or fallback). */
export async function planExplanation(deps: ExplainerDeps, input: ExplainDecisionInput): Promise<ExplanationPlan> {
  const bare = prepareEvidence(input, []);
  const models = deps.models;
  if (models === null) {
    return { next: 'done', explanation: withFallback(bare.rules, { reason: null, detail: null, usage: null }) };
  }
  const cached = await deps.cached?.({
    cluster: input.decision.cluster,
    fingerprint: input.decision.fingerprint,
    ruleVersion: input.decision.rule_version,
  });
  if (cached?.explanation.explainer === 'rules') {
    // A remembered deterministic failure (db REMEMBERED_FALLBACKS): today's rules words, the same reason, no call.
    const reason = cached.explanation.fallback_reason ?? null;
    return {
      next: 'done',
      explanation: withFallback(bare.rules, {
        reason,
        detail: `remembered from ${cached.assessmentKey}: the same evidence ended in ${reason ?? 'a fallback'} there`,
        usage: null,
      }),
    };
  }
  if (cached)
    return {
      next: 'done',
      explanation: fromCache({ cached: cached.explanation, assessmentKey: cached.assessmentKey }),
    };
  const knowledge = await retrieve(deps, bare.bundle);
  const prepared = prepareEvidence(input, knowledge.passages);
  const context = {
    models,
    cluster: input.decision.cluster,
    clock: deps.clock,
    signal: deps.signal,
    onCall: deps.onCall,
  };
  const dispatched = await dispatchStep(context, prepared.redacted);
  const usage = (totals: CallTotals, dispatch: { depth: 'none' | 'quick' | 'deep'; reason: string } | null) =>
    modelUsageOf({ models, totals, dispatch, researched: false, rejected: [], knowledgeError: knowledge.error });
  if (!dispatched.ok) {
    const explanation = withFallback(prepared.rules, {
      reason: dispatched.reason,
      detail: `dispatcher: ${dispatched.detail}`,
      usage: usage(dispatched.totals, null),
    });
    return { next: 'done', explanation };
  }
  const decision = atLeastTheFloor(prepared.redactor.restoreDeep(dispatched.decision), input.decision.health_state);
  if (decision.depth === 'none') {
    const explanation = withFallback(prepared.rules, {
      reason: 'dispatcher_none',
      detail: decision.reason,
      usage: usage(dispatched.totals, decision),
    });
    return { next: 'done', explanation };
  }
  return {
    next: 'research',
    depth: decision.depth,
    reason: decision.reason,
    knowledge: knowledge.passages,
    knowledgeError: knowledge.error,
    totals: dispatched.totals,
  };
}

/** Stage two: the researcher with verification and one retry, restored; any failure is the rules with a reason. */
export async function researchExplanation(
  deps: ExplainerDeps,
  input: ExplainDecisionInput & { plan: Extract<ExplanationPlan, { next: 'research' }> },
): Promise<Explanation> {
  const { plan } = input;
  const prepared = prepareEvidence(input, plan.knowledge);
  const models = deps.models;
  if (models === null) return withFallback(prepared.rules, { reason: null, detail: null, usage: null });
  const context = {
    models,
    cluster: input.decision.cluster,
    clock: deps.clock,
    signal: deps.signal,
    onCall: deps.onCall,
  };
  const outcome = await researchStep(context, { bundle: prepared.redacted, depth: plan.depth });
  const totals: CallTotals = {
    calls: plan.totals.calls + outcome.totals.calls,
    inputTokens: plan.totals.inputTokens + outcome.totals.inputTokens,
    outputTokens: plan.totals.outputTokens + outcome.totals.outputTokens,
    latencyMs: plan.totals.latencyMs + outcome.totals.latencyMs,
    costUsd: plan.totals.costUsd + outcome.totals.costUsd,
  };
  const usage = modelUsageOf({
    models,
    totals,
    dispatch: { depth: plan.depth, reason: plan.reason },
    researched: true,
    rejected: outcome.rejected,
    knowledgeError: plan.knowledgeError,
  });
  if (!outcome.ok) {
    return withFallback(prepared.rules, { reason: outcome.reason, detail: `researcher: ${outcome.detail}`, usage });
  }
  const answer = prepared.redactor.restoreDeep(outcome.answer);
  return explanationOfAnswer({ answer, bundle: prepared.bundle, usage });
}

/** Both stages in one process (tests, the demo, a real-model run): never throws except for cancellation. */
export async function explainDecision(deps: ExplainerDeps, input: ExplainDecisionInput): Promise<Explanation> {
  const plan = await planExplanation(deps, input);
  if (plan.next === 'done') return plan.explanation;
  return researchExplanation(deps, { ...input, plan });
}
