import type { ScaleBand, ThresholdOverrideSet, ThresholdOverrides, ThresholdProfile } from '../models/index.ts';
import { AppError } from '../models/index.ts';
import { SCALE_BANDS } from './bands.ts';

/**
 * Per-band threshold profiles. Values are the original's code at HEAD (reference §2.6), which is authoritative; its
 * README tables are stale. Fields the band table does not list use the production defaults (§2.5).
 */
export const BAND_PROFILES: Readonly<Record<ScaleBand, ThresholdProfile>> = {
  starter: {
    critical: {
      state_transitions_min_per_sec: 0.5,
      workflow_completion_rate_min: 0.3,
      completion_rate_demand_floor_per_sec: 0.5,
      history_backlog_age_max_sec: 600,
      history_processing_rate_min_per_sec: 0.5,
      persistence_error_rate_max_per_sec: 50,
    },
    stressed: {
      state_transition_latency_p99_max_ms: 2000,
      history_backlog_age_stress_sec: 120,
      frontend_latency_p99_max_ms: 5000,
      persistence_latency_p99_max_ms: 500,
      shard_churn_rate_max_per_sec: 5,
      poller_timeout_rate_max: 0.5,
    },
    healthy: {
      state_transitions_healthy_per_sec: 0.5,
      history_backlog_age_healthy_sec: 120,
      workflow_completion_rate_healthy: 0.85,
    },
  },
  'mid-scale': {
    critical: {
      state_transitions_min_per_sec: 3,
      workflow_completion_rate_min: 0.3,
      completion_rate_demand_floor_per_sec: 3,
      history_backlog_age_max_sec: 300,
      history_processing_rate_min_per_sec: 3,
      persistence_error_rate_max_per_sec: 50,
    },
    stressed: {
      state_transition_latency_p99_max_ms: 1000,
      history_backlog_age_stress_sec: 60,
      frontend_latency_p99_max_ms: 2000,
      persistence_latency_p99_max_ms: 200,
      shard_churn_rate_max_per_sec: 5,
      poller_timeout_rate_max: 0.3,
    },
    healthy: {
      state_transitions_healthy_per_sec: 5,
      history_backlog_age_healthy_sec: 60,
      workflow_completion_rate_healthy: 0.85,
    },
  },
  'high-throughput': {
    critical: {
      state_transitions_min_per_sec: 5,
      workflow_completion_rate_min: 0.3,
      completion_rate_demand_floor_per_sec: 5,
      history_backlog_age_max_sec: 300,
      history_processing_rate_min_per_sec: 5,
      persistence_error_rate_max_per_sec: 50,
    },
    stressed: {
      state_transition_latency_p99_max_ms: 500,
      history_backlog_age_stress_sec: 30,
      frontend_latency_p99_max_ms: 1000,
      persistence_latency_p99_max_ms: 100,
      shard_churn_rate_max_per_sec: 5,
      poller_timeout_rate_max: 0.1,
    },
    healthy: {
      state_transitions_healthy_per_sec: 10,
      history_backlog_age_healthy_sec: 30,
      workflow_completion_rate_healthy: 0.85,
    },
  },
};

function applySet(profile: ThresholdProfile, set: ThresholdOverrideSet | undefined): ThresholdProfile {
  if (set === undefined) return profile;
  return {
    critical: { ...profile.critical, ...set.critical },
    stressed: { ...profile.stressed, ...set.stressed },
    healthy: { ...profile.healthy, ...set.healthy },
  };
}

/**
 * The thresholds for `band`: the band's profile, then `overrides.all`, then `overrides[band]` (per band wins).
 * @throws AppError CONFIG_INVALID when the result is not ordered: the critical throughput floor must be at or below
 * the healthy throughput floor, or a cluster could be "critical" and "healthy" at once.
 */
export function getThresholdProfile(input: { band: ScaleBand; overrides?: ThresholdOverrides }): ThresholdProfile {
  const { band, overrides } = input;
  const profile = applySet(applySet(BAND_PROFILES[band], overrides?.all), overrides?.[band]);
  const criticalFloor = profile.critical.state_transitions_min_per_sec;
  const healthyFloor = profile.healthy.state_transitions_healthy_per_sec;
  if (criticalFloor > healthyFloor) {
    throw new AppError(
      'CONFIG_INVALID',
      `threshold overrides for band ${band}: critical.state_transitions_min_per_sec (${criticalFloor}) must be <= ` +
        `healthy.state_transitions_healthy_per_sec (${healthyFloor})`,
      {
        problems: {
          [`${band}.critical.state_transitions_min_per_sec`]: [`must be <= ${healthyFloor} (the healthy floor)`],
        },
      },
    );
  }
  return profile;
}

/** Validate overrides against every band up front, so bad config fails at start rather than on a band change. */
export function validateOverrides(overrides: ThresholdOverrides): void {
  for (const band of SCALE_BANDS) getThresholdProfile({ band, overrides });
}
