import { log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CopilotActivities } from '../activities/index.ts';
import type { AssessHealthInput, AssessHealthResult, Assessment, Explanation, LogPattern } from '../models/index.ts';
import { engine, explainer, storage } from './activity-proxies.ts';
import { explainWithModel } from './explain-steps.ts';

/** @default the explanation must be ready within 30 s, or the rules-only one is stored. */
export const DEFAULT_EXPLAIN_TIMEOUT_MS = 30_000;
/** Log patterns from this far back are evidence. */
const LOG_LOOKBACK_MS = 10 * 60_000;

/** Evidence reads are optional: short, two attempts, and a failure means "without that evidence". */
const evidence = proxyActivities<CopilotActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 2 },
});

async function recentPatterns(input: AssessHealthInput, nowMs: number): Promise<LogPattern[]> {
  if (!input.hasLogs) return [];
  try {
    return await evidence.recentLogPatterns({ cluster: input.cluster, sinceMs: nowMs - LOG_LOOKBACK_MS });
  } catch (error) {
    log.warn('assessment without log patterns: reading them failed', { cluster: input.cluster, error });
    return [];
  }
}

/**
 * One assessment (id `assess-<cluster>-<epochMs>`, also its idempotency key): gather evidence, ask the explainer
 * within the deadline or fall back to the rules, store exactly one assessment row. The state is the decision's; the
 * explainer can never change it.
 */
export async function assessHealthWorkflow(input: AssessHealthInput): Promise<AssessHealthResult> {
  const startedMs = Date.now();
  const timeoutMs = input.explainTimeoutMs ?? DEFAULT_EXPLAIN_TIMEOUT_MS;
  const patterns = await recentPatterns(input, startedMs);
  const evidenceInput = {
    decision: input.decision,
    snapshot: input.snapshot,
    window: input.window,
    logPatterns: patterns,
    knowledge: [],
  };
  let explanation: Explanation;
  let fellBack = false;
  // Histories recorded before the model explainer ran one `explain` activity; they replay on that path.
  if (patched('model-explainer-pipeline')) {
    ({ explanation, fellBack } = await explainWithModel({
      evidence: { ...evidenceInput, overrides: input.overrides },
      startedMs,
      timeoutMs,
    }));
  } else {
    ({ explanation, fellBack } = await legacyExplain(input, evidenceInput, startedMs, timeoutMs));
  }
  const key = workflowInfo().workflowId;
  const assessment: Assessment = {
    assessment_key: key,
    cluster: input.cluster,
    at: new Date(startedMs).toISOString(),
    trigger: input.trigger,
    health_state: input.decision.health_state,
    decision: input.decision,
    summary: explanation.summary,
    explainer: explanation.explainer,
    issues: explanation.issues,
    recommended_actions: explanation.recommended_actions,
    log_patterns: patterns,
    explain_duration_ms: explanation.explain_duration_ms,
    rule_version: input.decision.rule_version,
    ...explainerDetails(explanation),
  };
  const { inserted } = await storage.writeAssessment({ assessment });
  return { assessment_key: key, inserted, explainer: explanation.explainer, fell_back: fellBack };
}

/** The single-activity explainer of histories recorded before the pipeline (kept for replay only). */
async function legacyExplain(
  input: AssessHealthInput,
  evidenceInput: Parameters<ReturnType<typeof explainer>['explain']>[0],
  startedMs: number,
  timeoutMs: number,
): Promise<{ explanation: Explanation; fellBack: boolean }> {
  const remainingMs = Math.max(1000, startedMs + timeoutMs - Date.now());
  try {
    return { explanation: await explainer(remainingMs).explain(evidenceInput), fellBack: false };
  } catch (error) {
    log.warn('explainer failed or timed out; storing the rules-only assessment', { cluster: input.cluster, error });
    const rules = await engine.explainWithRules({
      decision: input.decision,
      logPatterns: evidenceInput.logPatterns,
      window: input.window,
    });
    return { explanation: { ...rules, explain_duration_ms: Date.now() - startedMs }, fellBack: true };
  }
}

/** The explainer's fields that the assessment stores, present only when the explanation has them. */
function explainerDetails(explanation: Explanation): Partial<Assessment> {
  const { summary, issues, recommended_actions, explainer: _who, explain_duration_ms, ...details } = explanation;
  return details;
}
