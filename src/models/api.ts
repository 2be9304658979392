import { type } from 'arktype';
import {
  AssessmentTrigger,
  ContributingFactor,
  Explainer,
  FallbackReason,
  LogPattern,
  ModelUsage,
  SuggestedAction,
} from './assessment.ts';
import {
  Bottleneck,
  DataQuality,
  HealthState,
  NearestEscalation,
  RuleFinding,
  ScaleBand,
  ServiceStatus,
  WorkerAdvisory,
} from './health.ts';
import { FiniteNumber, IsoTime, NonNegative } from './numbers.ts';
import { AmplifierSignals, MissingReason, PrimarySignals } from './signals.ts';
import { StoredIssue } from './store.ts';

/**
 * Response shapes of the JSON API (docs/api.md). The routes build them, the tests validate every response against
 * them and the Grafana contract test reads panel fields from them: one definition for all three.
 */

/**
 * Codes the API answers with (docs/errors.md): the `ErrorCode`s a request can surface, plus four that exist only at
 * the HTTP edge (wrong method, oversized body, a route not built yet, an unexpected fault) and are never thrown.
 */
export const ApiErrorCode = type(
  "'INVALID_INPUT' | 'NOT_FOUND' | 'AUTH_FAILED' | 'METHOD_NOT_ALLOWED' | 'PAYLOAD_TOO_LARGE' | 'NOT_IMPLEMENTED' | 'STORE_UNAVAILABLE' | 'STORE_SCHEMA' | 'STORE_CONFLICT' | 'INTERNAL'",
);
export type ApiErrorCode = typeof ApiErrorCode.infer;

/** Every error the API returns: `{error: {code, message}}`, plus the bad fields for validation errors. */
export const ApiError = type({
  error: {
    code: ApiErrorCode,
    message: 'string > 0',
    'problems?': 'Record<string, string[]>',
  },
});
export type ApiError = typeof ApiError.infer;

/** How the rules classified a signal, as far as the stored decision says (docs/api.md, "classification"). */
export const SignalClassification = type("'normal' | 'elevated' | 'high' | 'critical' | 'unclassified' | 'no_data'");
export type SignalClassification = typeof SignalClassification.infer;

export const SignalTierName = type("'primary' | 'amplifier' | 'worker' | 'worker_amplifier'");
export type SignalTierName = typeof SignalTierName.infer;

export const SignalUnitName = type("'per_sec' | 'per_min' | 'ms' | 'sec' | 'ratio' | 'pct' | 'count' | 'bytes'");
export type SignalUnitName = typeof SignalUnitName.infer;

/** One signal of the latest snapshot: a flat row, so a Grafana table needs no transformation. */
export const SignalReading = type({
  /** Dotted path in the snapshot, e.g. `primary.history.backlog_age_sec`. */
  signal: 'string > 0',
  tier: SignalTierName,
  /** The path's middle part (`history`); empty for worker signals, which have none. */
  group: 'string',
  name: 'string > 0',
  value: FiniteNumber.or('null'),
  unit: SignalUnitName,
  classification: SignalClassification,
  /** The threshold of the rule that classified it, null when no stored rule result names this signal. */
  threshold: FiniteNumber.or('null'),
  comparison: "'above' | 'below' | null",
  rule_id: 'string | null',
  /** True when a context gate (system busy) kept the rule from counting. */
  suppressed: 'boolean',
  missing_reason: MissingReason.or('null'),
});
export type SignalReading = typeof SignalReading.infer;

export const StaleReason = type("'store_unavailable' | 'no_recent_cycle' | 'no_cycle' | null");
export type StaleReason = typeof StaleReason.infer;

/** What every `/status*` response says about how current it is. */
export const Freshness = type({
  /** Null only when no cluster is known at all. */
  cluster: 'string | null',
  /** When the decision shown was made (the latest stored cycle); null before the first cycle. */
  as_of: IsoTime.or('null'),
  /** After this instant, without a newer cycle, the status turns stale and the state `unknown`. */
  fresh_until: IsoTime.or('null'),
  stale: 'boolean',
  stale_reason: StaleReason,
});
export type Freshness = typeof Freshness.infer;

/** The latest assessment: the rules' decision explained, with its issues and actions. */
export const AssessmentView = type({
  id: 'string > 0',
  at: IsoTime,
  trigger: AssessmentTrigger,
  health_state: HealthState,
  /** False when the assessment was written for another state than the one the latest cycle decided. */
  matches_current_state: 'boolean',
  summary: 'string > 0',
  explainer: Explainer,
  /** Why the configured model did not write it; null when a model did, or none is configured. */
  fallback_reason: FallbackReason.or('null'),
  fallback_detail: 'string | null',
  /** The model's longer explanation and ranked causes (empty for the rules explainer). */
  explanation: 'string',
  contributing_factors: ContributingFactor.array(),
  /** Knowledge passages (their sources) the answer relied on. */
  knowledge_used: 'string[]',
  /** Model calls, tokens, latency and estimated cost behind it; null when no model was called. */
  model_usage: ModelUsage.or('null'),
  /** The earlier assessment whose answer was reused (explainer `cache`). */
  cached_from: 'string | null',
  explain_duration_ms: NonNegative,
  issues: StoredIssue.array(),
  recommended_actions: SuggestedAction.array(),
  rule_version: 'string > 0',
});
export type AssessmentView = typeof AssessmentView.infer;

export const SignalsByTier = type({
  primary: SignalReading.array(),
  amplifier: SignalReading.array(),
  worker: SignalReading.array(),
  worker_amplifier: SignalReading.array(),
});
export type SignalsByTier = typeof SignalsByTier.infer;

/** `GET /status`. `primary_signals` and `amplifiers` keep the original copilot's JSON paths for existing panels. */
export const StatusResponse = Freshness.and({
  health_state: HealthState,
  /** The state the latest cycle decided, even when the status is stale and `health_state` therefore `unknown`. */
  decided_state: HealthState.or('null'),
  previous_state: HealthState.or('null'),
  data_quality: DataQuality.or('null'),
  scale_band: ScaleBand.or('null'),
  idle: 'boolean | null',
  system_busy: 'boolean | null',
  firing: RuleFinding.array(),
  nearest_escalation: NearestEscalation.or('null'),
  unevaluated_rules: 'string[]',
  services: ServiceStatus.array(),
  bottleneck: Bottleneck.or('null'),
  worker_advisories: WorkerAdvisory.array(),
  signals: SignalsByTier,
  primary_signals: PrimarySignals.or('null'),
  amplifiers: AmplifierSignals.or('null'),
  log_patterns: LogPattern.array(),
  assessment: AssessmentView.or('null'),
  recommended_actions: SuggestedAction.array(),
  issue_count: 'number.integer >= 0',
  rule_version: 'string | null',
});
export type StatusResponse = typeof StatusResponse.infer;

export const ServicesResponse = Freshness.and({
  services: ServiceStatus.array(),
  bottleneck: Bottleneck.or('null'),
  worker_advisories: WorkerAdvisory.array(),
});
export type ServicesResponse = typeof ServicesResponse.infer;

export const IssuesResponse = Freshness.and({ issues: StoredIssue.array() });
export type IssuesResponse = typeof IssuesResponse.infer;

export const SummaryResponse = Freshness.and({
  health_state: HealthState,
  summary: 'string > 0',
  /** Who wrote `summary`: an explainer, or the API itself when no assessment matches the current state. */
  source: "'assessment' | 'rules'",
  explainer: Explainer.or('null'),
  assessment_at: IsoTime.or('null'),
});
export type SummaryResponse = typeof SummaryResponse.infer;

export const SignalsResponse = Freshness.and({ signals: SignalReading.array() });
export type SignalsResponse = typeof SignalsResponse.infer;
