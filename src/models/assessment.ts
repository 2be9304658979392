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

export const Explainer = type("'rules' | 'bedrock'");
export type Explainer = typeof Explainer.infer;

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
});
export type Assessment = typeof Assessment.infer;
