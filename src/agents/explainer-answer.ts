import type {
  ContributingFactor,
  Explanation,
  FallbackReason,
  Issue,
  ModelAssessment,
  ModelUsage,
  SuggestedAction,
} from '../models/index.ts';
import type { EvidenceBundle } from './evidence.ts';
import type { CallTotals, ExplainerModels } from './explainer-calls.ts';
import type { Violation } from './verify.ts';

/**
 * From a verified (and restored) model answer to the stored explanation, and from a failure to the rules-only
 * explanation with its reason. Pure. The state is never part of either: the assessment takes it from the decision.
 */

export interface UsageInput {
  models: ExplainerModels;
  totals: CallTotals;
  dispatch: { depth: 'none' | 'quick' | 'deep'; reason: string } | null;
  researched: boolean;
  rejected: readonly (readonly Violation[])[];
  knowledgeError: string | null;
}

export function modelUsageOf(input: UsageInput): ModelUsage {
  return {
    provider: input.models.provider.name,
    dispatcher_model: input.models.dispatcherModel,
    researcher_model: input.researched ? input.models.researcherModel : null,
    calls: input.totals.calls,
    input_tokens: input.totals.inputTokens,
    output_tokens: input.totals.outputTokens,
    latency_ms: input.totals.latencyMs,
    cost_usd: input.totals.costUsd,
    dispatch_depth: input.dispatch?.depth ?? null,
    dispatch_reason: input.dispatch?.reason ?? null,
    rejected: input.rejected.map((violations) => [...new Set(violations.map((v) => v.kind))].join(',')),
    knowledge_error: input.knowledgeError,
  };
}

/** The rules-only explanation, marked with why the model did not write it. */
export function withFallback(
  rules: Explanation,
  input: { reason: FallbackReason | null; detail: string | null; usage: ModelUsage | null },
): Explanation {
  return {
    ...rules,
    explainer: 'rules',
    fallback_reason: input.reason,
    fallback_detail: input.detail,
    model_usage: input.usage,
    cached_from: null,
  };
}

/** Rule id of a cited `rule:…` evidence id, through the bundle (ids of shared rules carry the signal too). */
function ruleIdsOf(ids: readonly string[], bundle: EvidenceBundle): string[] {
  const byId = new Map(bundle.firing.map((finding) => [finding.id, finding.rule_id]));
  return ids.flatMap((id) => {
    const rule = byId.get(id);
    return rule === undefined ? [] : [rule];
  });
}

/** Signal paths of cited signal ids (`signal:history.backlog_age_sec` → `primary.history.backlog_age_sec`). */
function signalsOf(ids: readonly string[], bundle: EvidenceBundle): string[] {
  const items = [...bundle.primary, ...bundle.amplifiers, ...bundle.worker];
  const byId = new Map(items.map((item) => [item.id, item.signal]));
  const firing = new Map(bundle.firing.map((finding) => [finding.id, finding.signal]));
  return [...new Set(ids.flatMap((id) => [byId.get(id), firing.get(id)].filter((s) => s !== undefined)))];
}

function actionOf(action: ModelAssessment['suggested_actions'][number]): SuggestedAction {
  return { ...action, parameters: { ...action.parameters } };
}

/**
 * The explanation of a verified answer. Issues keep the rule id they cite (the store resolves an issue when its
 * rule stops firing), take their likely cause from the factor that blames the same service, and carry the actions
 * that target it.
 */
export function explanationOfAnswer(input: {
  answer: ModelAssessment;
  bundle: EvidenceBundle;
  usage: ModelUsage;
}): Explanation {
  const { answer, bundle } = input;
  const factors: ContributingFactor[] = [...answer.contributing_factors].sort((a, b) => a.rank - b.rank);
  const knowledge = new Map(bundle.knowledge.map((passage) => [passage.id, passage.source]));
  const issues: Issue[] = answer.issues.map((issue) => ({
    severity: issue.severity,
    title: issue.title,
    description: issue.description,
    likely_cause: factors.find((factor) => factor.service === issue.service)?.description ?? '',
    suggested_actions: answer.suggested_actions
      .filter((action) => action.target_service === issue.service)
      .map(actionOf),
    related_signals: signalsOf(issue.evidence_ids, bundle),
    related_logs: issue.evidence_ids.filter((id) => id.startsWith('log:')),
    rule_id: ruleIdsOf(issue.evidence_ids, bundle)[0] ?? null,
  }));
  return {
    summary: answer.summary,
    issues,
    recommended_actions: answer.suggested_actions.map(actionOf),
    explainer: 'model',
    explain_duration_ms: 0,
    explanation: answer.explanation,
    contributing_factors: factors,
    knowledge_used: [...new Set(answer.knowledge_used.map((id) => knowledge.get(id) ?? id))],
    fallback_reason: null,
    fallback_detail: null,
    model_usage: input.usage,
    cached_from: null,
  };
}

/** A stored model answer reused for the same fingerprint and rule version: no call made, nothing billed. */
export function fromCache(input: { cached: Explanation; assessmentKey: string }): Explanation {
  return {
    ...input.cached,
    explainer: 'cache',
    explain_duration_ms: 0,
    model_usage: null,
    fallback_reason: null,
    fallback_detail: null,
    cached_from: input.assessmentKey,
  };
}
