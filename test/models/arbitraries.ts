import fc from 'fast-check';
import type {
  AmplifierSignals,
  Assessment,
  ClusterConfig,
  Issue,
  LogPattern,
  MissingSignal,
  PrimarySignals,
  SignalsSnapshot,
  SuggestedAction,
  WorkerAmplifierSignals,
  WorkerSignals,
} from '../../src/models/index.ts';

/** Hand-written arbitraries for the boundary models (style convention 14): every value they generate is valid. */

const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

export const isoTime = fc.integer({ min: MIN_MS, max: MAX_MS }).map((ms) => new Date(ms).toISOString());
export const measured = fc.option(fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true }), { nil: null });
export const measuredRatio = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null });
export const measuredPercent = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null });
const text = fc.string({ minLength: 1, maxLength: 40 });

export const primarySignals: fc.Arbitrary<PrimarySignals> = fc.record({
  state_transitions: fc.record({ throughput_per_sec: measured, latency_p95_ms: measured, latency_p99_ms: measured }),
  workflow_completion: fc.record({
    completion_rate: measuredRatio,
    success_per_sec: measured,
    failed_per_sec: measured,
  }),
  history: fc.record({
    backlog_age_sec: measured,
    task_processing_rate_per_sec: measured,
    shard_churn_rate_per_sec: measured,
  }),
  frontend: fc.record({
    error_rate_per_sec: measured,
    latency_p95_ms: measured,
    latency_p99_ms: measured,
    long_poll_latency_p99_ms: measured,
  }),
  matching: fc.record({
    workflow_backlog_age_sec: measured,
    activity_backlog_age_sec: measured,
    backlog_tasks: measured,
    backlog_growth_per_sec: fc.option(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => x + 0),
      { nil: null },
    ),
    stalled_task_queues: measured,
  }),
  demand: fc.record({ workflow_starts_per_sec: measured }),
  poller: fc.record({
    poll_success_rate: measuredRatio,
    poll_timeout_rate: measuredRatio,
    long_poll_latency_ms: measured,
  }),
  persistence: fc.record({
    latency_p95_ms: measured,
    latency_p99_ms: measured,
    error_rate_per_sec: measured,
    retry_rate_per_sec: measured,
  }),
  system_operations: fc.record({ deletion_rate_per_sec: measured, cleanup_delete_rate_per_sec: measured }),
});

export const amplifierSignals: fc.Arbitrary<AmplifierSignals> = fc.record({
  persistence: fc.record({
    occ_conflicts_per_sec: measured,
    cas_failures_per_sec: measured,
    serialization_failures_per_sec: measured,
  }),
  connection_pool: fc.record({
    utilization_pct: measuredPercent,
    wait_rate_per_sec: measured,
    wait_duration_ms: measured,
    churn_rate_per_sec: measured,
    opens_per_sec: measured,
    closes_per_sec: measured,
  }),
  queue: fc.record({ task_backlog_depth: measured, retry_time_spent_sec: measured }),
  worker: fc.record({ poller_concurrency: measured, task_slots_available: measured, task_slots_used: measured }),
  cache: fc.record({ hit_rate: measuredRatio, evictions_per_sec: measured, size_bytes: measured }),
  shard: fc.record({
    hot_shard_ratio: measuredRatio,
    max_shard_load_pct: measuredPercent,
    lock_latency_p95_ms: measured,
  }),
  grpc: fc.record({ in_flight_requests: measured, server_queue_depth: measured }),
  runtime: fc.record({ goroutines: measured, blocked_goroutines: measured }),
  host: fc.record({ cpu_throttle_pct: measuredPercent, memory_rss_bytes: measured, gc_pause_ms: measured }),
  throttling: fc.record({ rate_limit_events_per_sec: measured, admission_rejects_per_sec: measured }),
  deploy: fc.record({
    task_restarts: measured,
    membership_changes_per_min: measured,
    leader_changes_per_min: measured,
  }),
});

export const workerSignals: fc.Arbitrary<WorkerSignals> = fc.record({
  wft_schedule_to_start_p95_ms: measured,
  wft_schedule_to_start_p99_ms: measured,
  activity_schedule_to_start_p95_ms: measured,
  activity_schedule_to_start_p99_ms: measured,
  workflow_slots_available: measured,
  workflow_slots_used: measured,
  activity_slots_available: measured,
  activity_slots_used: measured,
  workflow_pollers: measured,
  activity_pollers: measured,
  sdk_endpoints_down: measured,
});

export const workerAmplifierSignals: fc.Arbitrary<WorkerAmplifierSignals> = fc.record({
  cache: fc.record({
    sticky_cache_size: measured,
    sticky_cache_hit_rate: measuredRatio,
    sticky_cache_miss_rate_per_sec: measured,
  }),
  poll: fc.record({ long_poll_latency_p95_ms: measured, long_poll_failure_rate_per_sec: measured }),
});

const missingSignal: fc.Arbitrary<MissingSignal> = fc.record(
  {
    signal: text,
    reason: fc.constantFrom('query_failed', 'no_series', 'not_measurable', 'low_volume', 'not_queried'),
    detail: text,
  },
  { requiredKeys: ['signal', 'reason'] },
);

export const clusterName = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);

export const signalsSnapshot: fc.Arbitrary<SignalsSnapshot> = fc.record({
  at: isoTime,
  cluster: clusterName,
  metric_style: fc.constantFrom('otel', 'tally'),
  primary: primarySignals,
  amplifiers: amplifierSignals,
  worker: workerSignals,
  worker_amplifiers: workerAmplifierSignals,
  missing: fc.array(missingSignal, { maxLength: 5 }),
});

export const suggestedAction: fc.Arbitrary<SuggestedAction> = fc.record({
  action_type: fc.constantFrom('scale', 'restart', 'configure', 'alert', 'investigate'),
  target_service: text,
  description: text,
  parameters: fc.dictionary(text, fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 3 }),
  risk_level: fc.constantFrom('low', 'medium', 'high'),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
});

export const issue: fc.Arbitrary<Issue> = fc.record({
  severity: fc.constantFrom('warning', 'critical'),
  title: text,
  description: fc.string(),
  likely_cause: fc.string(),
  suggested_actions: fc.array(suggestedAction, { maxLength: 3 }),
  related_signals: fc.array(text, { maxLength: 3 }),
  related_logs: fc.array(fc.string(), { maxLength: 3 }),
  rule_id: fc.option(text, { nil: null }),
});

export const logPattern: fc.Arbitrary<LogPattern> = fc.record({
  signature_id: text,
  pattern: text,
  service: text,
  count: fc.nat(),
  sample_message: fc.option(fc.string({ maxLength: 300 }), { nil: null }),
  window_start: isoTime,
  window_end: isoTime,
});

/** An assessment wrapping a given decision; decisions come from the engine's own arbitraries or fixtures. */
export function assessmentAround(decision: Assessment['decision']): fc.Arbitrary<Assessment> {
  return fc.record({
    assessment_key: text,
    cluster: fc.constant(decision.cluster),
    at: isoTime,
    trigger: fc.constantFrom('state_change', 'fingerprint_change', 'new_log_pattern', 'scheduled', 'manual'),
    health_state: fc.constant(decision.health_state),
    decision: fc.constant(decision),
    summary: text,
    explainer: fc.constantFrom('rules', 'model', 'cache'),
    issues: fc.array(issue, { maxLength: 3 }),
    recommended_actions: fc.array(suggestedAction, { maxLength: 3 }),
    log_patterns: fc.array(logPattern, { maxLength: 3 }),
    explain_duration_ms: fc.nat(),
    rule_version: text,
  });
}

export const clusterConfig: fc.Arbitrary<ClusterConfig> = fc.record(
  {
    name: clusterName,
    prometheus_url: fc.constantFrom(
      'http://127.0.0.1:9090',
      'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
    ),
    prometheus_sigv4: fc.record({ region: fc.constantFrom('eu-west-1', 'us-east-1'), service: fc.constant('aps') }),
    loki_url: fc.constant('http://127.0.0.1:3100'),
    selector: fc.constantFrom('cluster="prod"', ''),
    metric_style: fc.constantFrom('otel', 'tally'),
    initial_band: fc.constantFrom('starter', 'mid-scale', 'high-throughput'),
  },
  { requiredKeys: ['name', 'prometheus_url'] },
);
