import { type } from 'arktype';
import { IsoTime, Measured, MeasuredPercent, MeasuredRatio, MeasuredSigned } from './numbers.ts';

/**
 * The signals snapshot: what one observation cycle saw. JSON paths follow the original copilot's public contract
 * (`primary.state_transitions.throughput_per_sec`, …) so that stored rows and Grafana JSONPaths stay stable.
 * Every value is a number or `null`; `missing` names the signal ids (dotted paths) without data and why.
 */

export const PrimarySignals = type({
  state_transitions: {
    throughput_per_sec: Measured,
    latency_p95_ms: Measured,
    latency_p99_ms: Measured,
  },
  workflow_completion: {
    completion_rate: MeasuredRatio,
    success_per_sec: Measured,
    failed_per_sec: Measured,
  },
  history: {
    backlog_age_sec: Measured,
    task_processing_rate_per_sec: Measured,
    shard_churn_rate_per_sec: Measured,
  },
  frontend: {
    error_rate_per_sec: Measured,
    latency_p95_ms: Measured,
    latency_p99_ms: Measured,
    long_poll_latency_p99_ms: Measured,
  },
  matching: {
    workflow_backlog_age_sec: Measured,
    activity_backlog_age_sec: Measured,
    /** Tasks waiting in application task queues (approximate_backlog_count; Temporal's own queues excluded). */
    backlog_tasks: Measured,
    /** Change of that backlog per second over the last minute: > 0 while tasks pile up. */
    backlog_growth_per_sec: MeasuredSigned,
    /** Application task queues with tasks waiting and no poll outcome (a task or a timeout) in the last 75 s. */
    stalled_task_queues: Measured,
  },
  /** What callers ask of the cluster, independent of whether it keeps up. */
  demand: {
    /** Workflow starts accepted by the frontend per second (StartWorkflowExecution, SignalWithStart, multi-op). */
    workflow_starts_per_sec: Measured,
  },
  poller: {
    poll_success_rate: MeasuredRatio,
    poll_timeout_rate: MeasuredRatio,
    long_poll_latency_ms: Measured,
  },
  persistence: {
    latency_p95_ms: Measured,
    latency_p99_ms: Measured,
    error_rate_per_sec: Measured,
    retry_rate_per_sec: Measured,
  },
  system_operations: {
    deletion_rate_per_sec: Measured,
    cleanup_delete_rate_per_sec: Measured,
  },
});
export type PrimarySignals = typeof PrimarySignals.infer;

/** Amplifiers explain why; they never decide the state. A value we cannot measure is `null` and listed as missing. */
export const AmplifierSignals = type({
  persistence: {
    occ_conflicts_per_sec: Measured,
    cas_failures_per_sec: Measured,
    serialization_failures_per_sec: Measured,
  },
  connection_pool: {
    utilization_pct: MeasuredPercent,
    wait_rate_per_sec: Measured,
    wait_duration_ms: Measured,
    churn_rate_per_sec: Measured,
    opens_per_sec: Measured,
    closes_per_sec: Measured,
  },
  queue: {
    task_backlog_depth: Measured,
    retry_time_spent_sec: Measured,
  },
  worker: {
    poller_concurrency: Measured,
    task_slots_available: Measured,
    task_slots_used: Measured,
  },
  cache: {
    hit_rate: MeasuredRatio,
    evictions_per_sec: Measured,
    size_bytes: Measured,
  },
  shard: {
    hot_shard_ratio: MeasuredRatio,
    max_shard_load_pct: MeasuredPercent,
    lock_latency_p95_ms: Measured,
  },
  grpc: {
    in_flight_requests: Measured,
    server_queue_depth: Measured,
  },
  runtime: {
    goroutines: Measured,
    blocked_goroutines: Measured,
  },
  host: {
    cpu_throttle_pct: MeasuredPercent,
    memory_rss_bytes: Measured,
    gc_pause_ms: Measured,
  },
  throttling: {
    rate_limit_events_per_sec: Measured,
    admission_rejects_per_sec: Measured,
  },
  deploy: {
    task_restarts: Measured,
    membership_changes_per_min: Measured,
    leader_changes_per_min: Measured,
  },
});
export type AmplifierSignals = typeof AmplifierSignals.infer;

/** SDK-side (worker) signals: whether the workers, not the server, are the bottleneck. */
export const WorkerSignals = type({
  wft_schedule_to_start_p95_ms: Measured,
  wft_schedule_to_start_p99_ms: Measured,
  activity_schedule_to_start_p95_ms: Measured,
  activity_schedule_to_start_p99_ms: Measured,
  workflow_slots_available: Measured,
  workflow_slots_used: Measured,
  activity_slots_available: Measured,
  activity_slots_used: Measured,
  workflow_pollers: Measured,
  activity_pollers: Measured,
  /** Scraped SDK metric endpoints whose last scrape failed (`up == 0`): workers that died or cannot be reached. */
  sdk_endpoints_down: Measured,
});
export type WorkerSignals = typeof WorkerSignals.infer;

export const WorkerAmplifierSignals = type({
  cache: {
    sticky_cache_size: Measured,
    sticky_cache_hit_rate: MeasuredRatio,
    sticky_cache_miss_rate_per_sec: Measured,
  },
  poll: {
    long_poll_latency_p95_ms: Measured,
    long_poll_failure_rate_per_sec: Measured,
  },
});
export type WorkerAmplifierSignals = typeof WorkerAmplifierSignals.infer;

export const MetricStyle = type("'otel' | 'tally'");
export type MetricStyle = typeof MetricStyle.infer;

/**
 * The unit of the server's timer histograms. tally exports seconds; the OTel exporter milliseconds, or seconds with
 * `recordTimerInSeconds` (`_seconds_bucket`). OTel with `withoutUnitSuffix` exports bare `_bucket` names like tally
 * but in milliseconds: the names alone cannot tell, the bucket bounds can (common/metrics/config.go).
 */
export const TimerUnit = type("'ms' | 'sec'");
export type TimerUnit = typeof TimerUnit.infer;

/**
 * How counters are named, independent of the style: `total` = `<name>_total` (OTel exporter, OpenMetrics scrapes),
 * `bare` = `<name>` (tally scraped as Prometheus text, e.g. `temporal server start-dev`).
 */
export const CounterNaming = type("'total' | 'bare'");
export type CounterNaming = typeof CounterNaming.infer;

/** Why a signal has no value: the query failed, returned nothing, or the catalog cannot measure it at all. */
export const MissingReason = type("'query_failed' | 'no_series' | 'not_measurable' | 'low_volume' | 'not_queried'");
export type MissingReason = typeof MissingReason.infer;

export const MissingSignal = type({
  signal: 'string',
  reason: MissingReason,
  'detail?': 'string',
});
export type MissingSignal = typeof MissingSignal.infer;

/**
 * How a worker-side (SDK) exporter names its metrics, detected apart from the server's. sdk-core (TypeScript,
 * Python, .NET, Ruby SDKs; crates/common/src/telemetry.rs, prometheus_meter.rs) defaults to bare counters, no unit
 * suffix and milliseconds in `_bucket`; `counters_total_suffix`, `unit_suffix` and `use_seconds_for_durations`
 * change each. `duration_suffix` is what follows the metric name before `_bucket`.
 */
export const SdkNaming = type({
  counters: CounterNaming,
  duration_unit: "'ms' | 'sec'",
  duration_suffix: "'' | '_milliseconds' | '_seconds'",
});
export type SdkNaming = typeof SdkNaming.infer;

export const SignalsSnapshot = type({
  at: IsoTime,
  cluster: 'string > 0',
  metric_style: MetricStyle,
  /** Absent in snapshots written before counter naming was detected; those read `<name>_total`. */
  'counter_naming?': CounterNaming,
  /** The unit the server's timers were read in; absent in older snapshots (the style's default). */
  'timer_unit?': TimerUnit,
  /** The SDK exporters' naming the worker signals were read with; absent in older snapshots. */
  'sdk_naming?': SdkNaming,
  primary: PrimarySignals,
  amplifiers: AmplifierSignals,
  worker: WorkerSignals,
  worker_amplifiers: WorkerAmplifierSignals,
  missing: MissingSignal.array(),
});
export type SignalsSnapshot = typeof SignalsSnapshot.infer;
