import { type } from 'arktype';
import { Decision, HealthState } from './health.ts';
import { IsoTime, NonNegative, Ratio } from './numbers.ts';

export const ActionType = type("'scale' | 'restart' | 'configure' | 'alert' | 'investigate'");
export type ActionType = typeof ActionType.infer;

export const RiskLevel = type("'low' | 'medium' | 'high'");
export type RiskLevel = typeof RiskLevel.infer;

/** A remediation the copilot suggests; it never performs it (`POST /actions` is 501 until remediation exists). */
export const SuggestedAction = type({
  action_type: ActionType,
  target_service: 'string > 0',
  description: 'string > 0',
  parameters: 'Record<string, string | number | boolean>',
  risk_level: RiskLevel,
  confidence: Ratio,
});
export type SuggestedAction = typeof SuggestedAction.infer;

export const IssueSeverity = type("'warning' | 'critical'");
export type IssueSeverity = typeof IssueSeverity.infer;

export const Issue = type({
  severity: IssueSeverity,
  title: 'string > 0',
  description: 'string',
  likely_cause: 'string',
  suggested_actions: SuggestedAction.array(),
  related_signals: 'string[]',
  related_logs: 'string[]',
  /** The rule that raised the issue; used to resolve it when the rule stops firing. */
  rule_id: 'string | null',
});
export type Issue = typeof Issue.infer;

/** A known Temporal server log signature counted over a window. Log text is untrusted: samples are redacted. */
export const LogPattern = type({
  signature_id: 'string > 0',
  pattern: 'string > 0',
  service: 'string > 0',
  count: 'number.integer >= 0',
  sample_message: 'string | null',
  window_start: IsoTime,
  window_end: IsoTime,
});
export type LogPattern = typeof LogPattern.infer;

export const AssessmentTrigger = type(
  "'state_change' | 'fingerprint_change' | 'new_log_pattern' | 'scheduled' | 'manual'",
);
export type AssessmentTrigger = typeof AssessmentTrigger.infer;

/** Who wrote an explanation: the rules, a model (either provider), or a cached model answer re-stamped. */
export const Explainer = type("'rules' | 'model' | 'cache'");
export type Explainer = typeof Explainer.infer;

/**
 * Why a configured model did not write the explanation. A closed set (docs/explainer.md); the detail string says
 * more. `dispatcher_none` is not a failure: the dispatcher judged that the rules' words are enough.
 */
export const FallbackReason = type(
  "'dispatcher_none' | 'model_unavailable' | 'model_timeout' | 'throttled' | 'malformed_output' | 'verification_failed' | 'model_rejected_request' | 'auth_failed'",
);
export type FallbackReason = typeof FallbackReason.infer;

/** A ranked cause, each citing evidence ids from the bundle. */
export const ContributingFactor = type({
  rank: '1 <= number.integer <= 10',
  service: 'string > 0',
  description: 'string > 0',
  evidence_ids: type('string[]').atMostLength(12),
});
export type ContributingFactor = typeof ContributingFactor.infer;

/** What the model calls behind one explanation cost: summed over the dispatcher and researcher calls. */
export const ModelUsage = type({
  provider: "'bedrock' | 'openai-compatible'",
  dispatcher_model: 'string | null',
  researcher_model: 'string | null',
  calls: 'number.integer >= 0',
  input_tokens: NonNegative,
  output_tokens: NonNegative,
  latency_ms: NonNegative,
  /** Estimated from the configured price table (COPILOT_LLM_PRICES); 0 for a model without a price. */
  cost_usd: NonNegative,
  dispatch_depth: "'none' | 'quick' | 'deep' | null",
  dispatch_reason: 'string | null',
  /** Violation kinds of each rejected researcher answer, in order (empty: the first answer passed). */
  rejected: 'string[]',
  /** Why no knowledge passages were retrieved when the retriever failed (null: retrieved, or none configured). */
  knowledge_error: 'string | null',
});
export type ModelUsage = typeof ModelUsage.infer;

/**
 * The explainer's extra fields, shared by `Explanation` and `Assessment`. Optional, so assessments stored before the
 * model explainer existed (and recorded workflow histories) still validate.
 */
export const EXPLAINER_DETAIL_FIELDS = {
  'explanation?': 'string',
  'contributing_factors?': ContributingFactor.array(),
  /** Knowledge passages (their sources) the answer relied on. */
  'knowledge_used?': 'string[]',
  'fallback_reason?': FallbackReason.or('null'),
  'fallback_detail?': 'string | null',
  'model_usage?': ModelUsage.or('null'),
  /** The assessment whose model answer was reused (explainer `cache`). */
  'cached_from?': 'string | null',
} as const;

/** One stored assessment: the rules' decision plus its explanation. `health_state` always equals the decision's. */
export const Assessment = type({
  /** Idempotency key: the workflow id that produced it. The same key twice is one row. */
  assessment_key: 'string > 0',
  cluster: 'string > 0',
  at: IsoTime,
  trigger: AssessmentTrigger,
  health_state: HealthState,
  decision: Decision,
  summary: 'string > 0',
  explainer: Explainer,
  issues: Issue.array(),
  recommended_actions: SuggestedAction.array(),
  log_patterns: LogPattern.array(),
  /** Wall time the explanation took, for cost and latency reporting. */
  explain_duration_ms: NonNegative,
  rule_version: 'string > 0',
  ...EXPLAINER_DETAIL_FIELDS,
});
export type Assessment = typeof Assessment.infer;
