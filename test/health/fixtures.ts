import type { EngineState, PrimarySignals, ScaleBand, SignalsSnapshot } from '../../src/models/index.ts';

/** A primary block where every value is 0 (completion and poll success 1.0, as when nothing failed). */
export function zeroPrimary(): PrimarySignals {
  return {
    state_transitions: { throughput_per_sec: 0, latency_p95_ms: 0, latency_p99_ms: 0 },
    workflow_completion: { completion_rate: 1, success_per_sec: 0, failed_per_sec: 0 },
    history: { backlog_age_sec: 0, task_processing_rate_per_sec: 0, shard_churn_rate_per_sec: 0 },
    frontend: { error_rate_per_sec: 0, latency_p95_ms: 0, latency_p99_ms: 0, long_poll_latency_p99_ms: 0 },
    matching: {
      workflow_backlog_age_sec: 0,
      activity_backlog_age_sec: 0,
      backlog_tasks: 0,
      backlog_growth_per_sec: 0,
      stalled_task_queues: 0,
    },
    demand: { workflow_starts_per_sec: 0 },
    poller: { poll_success_rate: 1, poll_timeout_rate: 0, long_poll_latency_ms: 0 },
    persistence: { latency_p95_ms: 0, latency_p99_ms: 0, error_rate_per_sec: 0, retry_rate_per_sec: 0 },
    system_operations: { deletion_rate_per_sec: 0, cleanup_delete_rate_per_sec: 0 },
  };
}

/** Every primary value null: what a broken pipeline looks like. */
export function nullPrimary(): PrimarySignals {
  return {
    state_transitions: { throughput_per_sec: null, latency_p95_ms: null, latency_p99_ms: null },
    workflow_completion: { completion_rate: null, success_per_sec: null, failed_per_sec: null },
    history: { backlog_age_sec: null, task_processing_rate_per_sec: null, shard_churn_rate_per_sec: null },
    frontend: { error_rate_per_sec: null, latency_p95_ms: null, latency_p99_ms: null, long_poll_latency_p99_ms: null },
    matching: {
      workflow_backlog_age_sec: null,
      activity_backlog_age_sec: null,
      backlog_tasks: null,
      backlog_growth_per_sec: null,
      stalled_task_queues: null,
    },
    demand: { workflow_starts_per_sec: null },
    poller: { poll_success_rate: null, poll_timeout_rate: null, long_poll_latency_ms: null },
    persistence: { latency_p95_ms: null, latency_p99_ms: null, error_rate_per_sec: null, retry_rate_per_sec: null },
    system_operations: { deletion_rate_per_sec: null, cleanup_delete_rate_per_sec: null },
  };
}

export function nullAmplifiers(): SignalsSnapshot['amplifiers'] {
  return {
    persistence: { occ_conflicts_per_sec: null, cas_failures_per_sec: null, serialization_failures_per_sec: null },
    connection_pool: {
      utilization_pct: null,
      wait_rate_per_sec: null,
      wait_duration_ms: null,
      churn_rate_per_sec: null,
      opens_per_sec: null,
      closes_per_sec: null,
    },
    queue: { task_backlog_depth: null, retry_time_spent_sec: null },
    worker: { poller_concurrency: null, task_slots_available: null, task_slots_used: null },
    cache: { hit_rate: null, evictions_per_sec: null, size_bytes: null },
    shard: { hot_shard_ratio: null, max_shard_load_pct: null, lock_latency_p95_ms: null },
    grpc: { in_flight_requests: null, server_queue_depth: null },
    runtime: { goroutines: null, blocked_goroutines: null },
    host: { cpu_throttle_pct: null, memory_rss_bytes: null, gc_pause_ms: null },
    throttling: { rate_limit_events_per_sec: null, admission_rejects_per_sec: null },
    deploy: { task_restarts: null, membership_changes_per_min: null, leader_changes_per_min: null },
  };
}

export function nullWorker(): SignalsSnapshot['worker'] {
  return {
    wft_schedule_to_start_p95_ms: null,
    wft_schedule_to_start_p99_ms: null,
    activity_schedule_to_start_p95_ms: null,
    activity_schedule_to_start_p99_ms: null,
    workflow_slots_available: null,
    workflow_slots_used: null,
    activity_slots_available: null,
    activity_slots_used: null,
    workflow_pollers: null,
    activity_pollers: null,
    sdk_endpoints_down: null,
  };
}

export function nullWorkerAmplifiers(): SignalsSnapshot['worker_amplifiers'] {
  return {
    cache: { sticky_cache_size: null, sticky_cache_hit_rate: null, sticky_cache_miss_rate_per_sec: null },
    poll: { long_poll_latency_p95_ms: null, long_poll_failure_rate_per_sec: null },
  };
}

export const FIXED_AT = '2026-11-27T12:00:00.000Z';

/** A snapshot around `primary` with no amplifier or worker data. */
export function snapshotOf(primary: PrimarySignals, extra: Partial<SignalsSnapshot> = {}): SignalsSnapshot {
  return {
    at: FIXED_AT,
    cluster: 'test-cluster',
    metric_style: 'otel',
    primary,
    amplifiers: nullAmplifiers(),
    worker: nullWorker(),
    worker_amplifiers: nullWorkerAmplifiers(),
    missing: [],
    ...extra,
  };
}

/** A consistent carried state, as the engine itself would have produced it. */
export function carried(input: {
  state: 'happy' | 'stressed' | 'critical';
  count?: number;
  band?: ScaleBand | null;
}): EngineState {
  return {
    health_state: input.state,
    last_known_state: input.state,
    consecutive_critical: input.count ?? 0,
    scale_band: input.band ?? null,
  };
}
