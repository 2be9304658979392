import { ActivityFailure, log, TimeoutFailure } from '@temporalio/workflow';
import type { ExplainDecisionInput } from '../activities/explainer.ts';
import type { Explanation, FallbackReason } from '../models/index.ts';
import { engine, explainer } from './activity-proxies.ts';

/**
 * The model explainer as the workflow runs it: plan (cache, knowledge, dispatcher), then research, each an activity
 * under the caller's deadline. The activities never fail for what a model does; when an activity itself fails (the
 * deadline passed, the worker was lost) the rules-only explanation is made by its local activity and marked with
 * the reason, so an assessment is stored whatever happens.
 */

function reasonOf(error: unknown): FallbackReason {
  const timedOut = error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;
  return timedOut ? 'model_timeout' : 'model_unavailable';
}

async function rulesWithReason(input: {
  evidence: ExplainDecisionInput;
  error: unknown;
  startedMs: number;
  stage: string;
}): Promise<Explanation> {
  log.warn('explainer activity failed; storing the rules-only assessment', { stage: input.stage, error: input.error });
  const rules = await engine.explainWithRules({
    decision: input.evidence.decision,
    logPatterns: input.evidence.logPatterns,
    window: input.evidence.window,
  });
  const detail = input.error instanceof Error ? input.error.message : String(input.error);
  return {
    ...rules,
    explain_duration_ms: Date.now() - input.startedMs,
    fallback_reason: reasonOf(input.error),
    fallback_detail: `${input.stage}: ${detail}`.slice(0, 500),
    model_usage: null,
    cached_from: null,
  };
}

/** Plan, then research, within `timeoutMs` from `startedMs`; always resolves to an explanation. */
export async function explainWithModel(input: {
  evidence: ExplainDecisionInput;
  startedMs: number;
  timeoutMs: number;
}): Promise<{ explanation: Explanation; fellBack: boolean }> {
  const remaining = () => Math.max(1000, input.startedMs + input.timeoutMs - Date.now());
  let plan: Awaited<ReturnType<ReturnType<typeof explainer>['planExplanation']>>;
  try {
    plan = await explainer(remaining()).planExplanation(input.evidence);
  } catch (error) {
    return { explanation: await rulesWithReason({ ...input, error, stage: 'plan' }), fellBack: true };
  }
  if (plan.next === 'done') {
    return { explanation: plan.explanation, fellBack: (plan.explanation.fallback_reason ?? null) !== null };
  }
  try {
    const explanation = await explainer(remaining()).researchExplanation({ ...input.evidence, plan });
    return { explanation, fellBack: explanation.explainer === 'rules' };
  } catch (error) {
    return { explanation: await rulesWithReason({ ...input, error, stage: 'research' }), fellBack: true };
  }
}
