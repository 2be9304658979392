import type {
  AssessmentView,
  Freshness,
  ServicesResponse,
  SignalReading,
  SignalsByTier,
  StatusResponse,
  SummaryResponse,
} from '../models/index.ts';
import { signalReadings } from './signal-rows.ts';
import { type ClusterEntry, LOG_PATTERN_WINDOW_MS } from './status-cache.ts';

/**
 * Pure views of one cached cluster. Nothing here reads the clock except through `nowMs`, and nothing changes with
 * time but staleness and the log-pattern window, so a body (and its ETag) stays the same until the data changes.
 */

export interface ViewInput {
  entry: ClusterEntry | null;
  nowMs: number;
  /** A cycle older than this makes the status stale and its state `unknown`. */
  staleAfterMs: number;
  storeReachable: boolean;
}

/** Why the status is stale, or null while it is fresh; cheap (no formatting), for the memoized /status key. */
export function staleReasonOf(input: ViewInput): Freshness['stale_reason'] {
  const cycle = input.entry?.cycle ?? null;
  if (!input.storeReachable) return 'store_unavailable';
  if (cycle === null) return 'no_cycle';
  return input.nowMs - Date.parse(cycle.decision.at) <= input.staleAfterMs ? null : 'no_recent_cycle';
}

/**
 * How long `statusView` keeps saying the same thing for the same entry and store health: through the returned
 * instant (epoch ms), while the cycle is still fresh and no shown log pattern has left its window. Those are the only
 * ways time enters the view, and each is one-way (fresh to stale, shown to gone), so the first boundary at or after
 * `nowMs` is where the body can change. Infinity when no boundary is ahead.
 */
export function viewSameThroughMs(input: ViewInput): number {
  let through = Number.POSITIVE_INFINITY;
  const cycle = input.entry?.cycle;
  if (cycle) {
    const freshThrough = Date.parse(cycle.decision.at) + input.staleAfterMs;
    if (freshThrough >= input.nowMs) through = freshThrough;
  }
  for (const p of input.entry?.logPatterns ?? []) {
    const shownThrough = Date.parse(p.window_end) + LOG_PATTERN_WINDOW_MS;
    if (shownThrough >= input.nowMs && shownThrough < through) through = shownThrough;
  }
  return through;
}

export function freshnessOf(input: ViewInput): Freshness {
  const cycle = input.entry?.cycle ?? null;
  const asOfMs = cycle ? Date.parse(cycle.decision.at) : null;
  const staleReason = staleReasonOf(input);
  return {
    cluster: input.entry?.name ?? null,
    as_of: cycle ? cycle.decision.at : null,
    fresh_until: asOfMs === null ? null : new Date(asOfMs + input.staleAfterMs).toISOString(),
    stale: staleReason !== null,
    stale_reason: staleReason,
  };
}

/** The state to show: the decided one while it is fresh; `unknown` when the copilot has not looked recently. */
export function shownState(input: ViewInput): StatusResponse['health_state'] {
  const cycle = input.entry?.cycle;
  if (!cycle) return 'unknown';
  return input.nowMs - Date.parse(cycle.decision.at) <= input.staleAfterMs ? cycle.decision.health_state : 'unknown';
}

export function signalRows(entry: ClusterEntry | null): SignalReading[] {
  const cycle = entry?.cycle;
  return cycle ? signalReadings(cycle.snapshot, cycle.decision) : [];
}

function byTier(rows: readonly SignalReading[]): SignalsByTier {
  const tiers: SignalsByTier = { primary: [], amplifier: [], worker: [], worker_amplifier: [] };
  for (const row of rows) tiers[row.tier].push(row);
  return tiers;
}

function assessmentView(entry: ClusterEntry): AssessmentView | null {
  const a = entry.assessment;
  if (!a) return null;
  return {
    id: a.assessment_key,
    at: a.at,
    trigger: a.trigger,
    health_state: a.health_state,
    matches_current_state: entry.cycle !== null && entry.cycle.decision.health_state === a.health_state,
    summary: a.summary,
    explainer: a.explainer,
    fallback_reason: a.fallback_reason ?? null,
    fallback_detail: a.fallback_detail ?? null,
    explanation: a.explanation ?? '',
    contributing_factors: a.contributing_factors ?? [],
    knowledge_used: a.knowledge_used ?? [],
    model_usage: a.model_usage ?? null,
    cached_from: a.cached_from ?? null,
    explain_duration_ms: a.explain_duration_ms,
    issues: entry.assessmentIssues,
    recommended_actions: a.recommended_actions,
    rule_version: a.rule_version,
  };
}

export function statusView(input: ViewInput): StatusResponse {
  const entry = input.entry;
  const cycle = entry?.cycle ?? null;
  const decision = cycle?.decision ?? null;
  const windowStartMs = input.nowMs - LOG_PATTERN_WINDOW_MS;
  const assessment = entry ? assessmentView(entry) : null;
  return {
    ...freshnessOf(input),
    health_state: shownState(input),
    decided_state: decision?.health_state ?? null,
    previous_state: decision?.previous_state ?? null,
    data_quality: decision?.data_quality ?? null,
    scale_band: decision?.scale_band ?? null,
    idle: decision?.idle ?? null,
    system_busy: decision?.system_busy ?? null,
    firing: decision?.firing ?? [],
    nearest_escalation: decision?.nearest_escalation ?? null,
    unevaluated_rules: decision?.unevaluated_rules ?? [],
    services: decision?.services ?? [],
    bottleneck: decision?.bottleneck ?? null,
    worker_advisories: decision?.worker_advisories ?? [],
    signals: byTier(signalRows(entry)),
    primary_signals: cycle?.snapshot.primary ?? null,
    amplifiers: cycle?.snapshot.amplifiers ?? null,
    log_patterns: (entry?.logPatterns ?? []).filter((p) => Date.parse(p.window_end) >= windowStartMs),
    assessment,
    // Actions of an explanation written for another state would advise on a situation that has passed.
    recommended_actions: assessment?.matches_current_state ? assessment.recommended_actions : [],
    // The store's exact count: the cached list stops at MAX_CACHED_ISSUES.
    issue_count: entry?.keys?.open_issues ?? entry?.activeIssues.length ?? 0,
    rule_version: decision?.rule_version ?? null,
  };
}

export function servicesView(input: ViewInput): ServicesResponse {
  const decision = input.entry?.cycle?.decision ?? null;
  return {
    ...freshnessOf(input),
    services: decision?.services ?? [],
    bottleneck: decision?.bottleneck ?? null,
    worker_advisories: decision?.worker_advisories ?? [],
  };
}

const STATE_WORDS: Readonly<Record<StatusResponse['health_state'], string>> = {
  happy: 'making forward progress',
  stressed: 'stressed but making progress',
  critical: 'critical: forward progress is impaired',
  unknown: 'unknown: the copilot cannot see it',
};

export function summaryView(input: ViewInput): SummaryResponse {
  const freshness = freshnessOf(input);
  const state = shownState(input);
  const a = input.entry?.assessment ?? null;
  const matches = a !== null && state !== 'unknown' && a.health_state === state;
  if (matches) {
    return {
      ...freshness,
      health_state: state,
      summary: a.summary,
      source: 'assessment',
      explainer: a.explainer,
      assessment_at: a.at,
    };
  }
  const who =
    freshness.cluster === null
      ? 'No cluster has been observed yet.'
      : `Cluster ${freshness.cluster} is ${STATE_WORDS[state]}.`;
  const why =
    freshness.cluster === null
      ? ''
      : freshness.stale_reason === 'store_unavailable'
        ? ' The state store is unreachable; this is the last known status.'
        : freshness.stale_reason === 'no_cycle'
          ? ' No observation cycle has been stored yet.'
          : freshness.stale_reason === 'no_recent_cycle'
            ? ' No observation cycle has been stored recently.'
            : a === null
              ? ' No explanation has been written yet.'
              : ` The latest explanation (${a.at}) was written while it was ${a.health_state}.`;
  return {
    ...freshness,
    health_state: state,
    summary: `${who}${why}`,
    source: 'rules',
    explainer: null,
    assessment_at: a?.at ?? null,
  };
}
