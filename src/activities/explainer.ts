import type { CachedExplanation, ExplainDecisionInput, ExplainerModels, ExplanationPlan } from '../agents/explainer.ts';
import { planExplanation, researchExplanation } from '../agents/explainer.ts';

export type { ExplainDecisionInput, ExplanationPlan } from '../agents/explainer.ts';

import type {
  Assessment,
  ExplainerCallRecord,
  Explanation,
  KnowledgeRetriever,
  WorkerMetricsSink,
} from '../models/index.ts';
import { guarded } from './run.ts';

/**
 * The model explainer as two activities, so the workflow sandbox never loads explainer code: `planExplanation`
 * (cache, knowledge, dispatcher) and `researchExplanation` (researcher, verification, one retry). Neither fails for
 * what a model does: they return the rules-only explanation with its reason. Only a cancellation, a lost worker or a
 * missed deadline fails them, and the workflow then stores the rules-only explanation itself.
 */

export interface ExplainerActivityDeps {
  /** Null or absent: no model configured; every explanation is the rules'. */
  models?: ExplainerModels | null | undefined;
  knowledge?: KnowledgeRetriever | undefined;
  metrics?: WorkerMetricsSink | undefined;
  /** The store's cache of model answers (db cachedModelAssessment). */
  cached?: (key: { cluster: string; fingerprint: string; ruleVersion: string }) => Promise<CachedExplanation | null>;
  clock(): number;
  heartbeatEveryMs?: number | undefined;
}

export type ResearchActivityInput = ExplainDecisionInput & { plan: Extract<ExplanationPlan, { next: 'research' }> };

/** The explanation parts of a stored assessment (the cache's answer). */
export function explanationOfAssessment(assessment: Assessment): Explanation {
  const { summary, issues, recommended_actions, explainer, explain_duration_ms } = assessment;
  return {
    summary,
    issues,
    recommended_actions,
    explainer,
    explain_duration_ms,
    explanation: assessment.explanation ?? '',
    contributing_factors: assessment.contributing_factors ?? [],
    knowledge_used: assessment.knowledge_used ?? [],
    fallback_reason: assessment.fallback_reason ?? null,
    fallback_detail: assessment.fallback_detail ?? null,
  };
}

export function createExplainerActivities(deps: ExplainerActivityDeps) {
  const run = <T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> => guarded(deps, work);
  const pipelineDeps = (signal: AbortSignal) => ({
    models: deps.models ?? null,
    ...(deps.knowledge ? { knowledge: deps.knowledge } : {}),
    ...(deps.cached ? { cached: deps.cached } : {}),
    clock: () => deps.clock(),
    signal,
    // A metric must never fail an explanation: the sink promises not to throw, and we do not rely on it.
    onCall: (record: ExplainerCallRecord) => {
      try {
        deps.metrics?.explainerCall(record);
      } catch {}
    },
  });
  const timed = (startedMs: number, explanation: Explanation): Explanation => ({
    ...explanation,
    explain_duration_ms: Math.max(0, deps.clock() - startedMs),
  });
  return {
    /** Stage one: `done` (rules, cache or a fallback) or `research` with the dispatcher's depth. */
    async planExplanation(input: ExplainDecisionInput): Promise<ExplanationPlan> {
      const startedMs = deps.clock();
      return run(async (signal) => {
        const plan = await planExplanation(pipelineDeps(signal), input);
        return plan.next === 'done' ? { ...plan, explanation: timed(startedMs, plan.explanation) } : plan;
      });
    },

    /** Stage two: the researcher; always an explanation (the model's, verified, or the rules' with a reason). */
    async researchExplanation(input: ResearchActivityInput): Promise<Explanation> {
      const startedMs = deps.clock();
      return run(async (signal) => timed(startedMs, await researchExplanation(pipelineDeps(signal), input)));
    },
  };
}
