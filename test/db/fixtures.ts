import type {
  Assessment,
  Decision,
  EngineState,
  Issue,
  LogPattern,
  SignalsSnapshot,
  SuggestedAction,
} from '../../src/models/index.ts';
import {
  Assessment as AssessmentType,
  Decision as DecisionType,
  EngineState as EngineStateType,
  LogPattern as LogPatternType,
  parseOrThrow,
  SignalsSnapshot as SignalsSnapshotType,
} from '../../src/models/index.ts';

/** Hand-built, schema-validated test data: every builder runs the ArkType model, so fixtures cannot drift. */

export const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
export const iso = (ms: number) => new Date(ms).toISOString();

export function snapshot(input: { cluster: string; atMs: number }): SignalsSnapshot {
  const value = {
    at: iso(input.atMs),
    cluster: input.cluster,
    metric_style: 'otel',
    primary: {
      state_transitions: { throughput_per_sec: 120.5, latency_p95_ms: 40, latency_p99_ms: 80 },
      workflow_completion: { completion_rate: 0.99, success_per_sec: 30, failed_per_sec: 0.1 },
      history: { backlog_age_sec: 2, task_processing_rate_per_sec: 300, shard_churn_rate_per_sec: 0 },
      frontend: { error_rate_per_sec: 0, latency_p95_ms: 20, latency_p99_ms: 45, long_poll_latency_p99_ms: null },
      matching: {
        workflow_backlog_age_sec: 0.5,
        activity_backlog_age_sec: 0.2,
        backlog_tasks: 0,
        backlog_growth_per_sec: 0,
        stalled_task_queues: 0,
      },
      demand: { workflow_starts_per_sec: 2 },
      poller: { poll_success_rate: 0.97, poll_timeout_rate: 0.03, long_poll_latency_ms: 5 },
      persistence: { latency_p95_ms: 8, latency_p99_ms: 15, error_rate_per_sec: 0, retry_rate_per_sec: 0.2 },
      system_operations: { deletion_rate_per_sec: 0, cleanup_delete_rate_per_sec: 0 },
    },
    amplifiers: {
      persistence: { occ_conflicts_per_sec: 0.5, cas_failures_per_sec: 0, serialization_failures_per_sec: null },
      connection_pool: {
        utilization_pct: 35,
        wait_rate_per_sec: 0,
        wait_duration_ms: 0,
        churn_rate_per_sec: 0.1,
        opens_per_sec: 0.1,
        closes_per_sec: 0.1,
      },
      queue: { task_backlog_depth: 3, retry_time_spent_sec: null },
      worker: { poller_concurrency: 8, task_slots_available: 100, task_slots_used: 12 },
      cache: { hit_rate: 0.95, evictions_per_sec: 0, size_bytes: 1024 },
      shard: { hot_shard_ratio: 0.1, max_shard_load_pct: 20, lock_latency_p95_ms: 1 },
      grpc: { in_flight_requests: 4, server_queue_depth: 0 },
      runtime: { goroutines: 1500, blocked_goroutines: 0 },
      host: { cpu_throttle_pct: 0, memory_rss_bytes: 500_000_000, gc_pause_ms: 1 },
      throttling: { rate_limit_events_per_sec: 0, admission_rejects_per_sec: 0 },
      deploy: { task_restarts: 0, membership_changes_per_min: 0, leader_changes_per_min: 0 },
    },
    worker: {
      wft_schedule_to_start_p95_ms: 10,
      wft_schedule_to_start_p99_ms: 20,
      activity_schedule_to_start_p95_ms: 12,
      activity_schedule_to_start_p99_ms: 25,
      workflow_slots_available: 50,
      workflow_slots_used: 3,
      activity_slots_available: 50,
      activity_slots_used: 7,
      workflow_pollers: 4,
      activity_pollers: 4,
      sdk_endpoints_down: 0,
    },
    worker_amplifiers: {
      cache: { sticky_cache_size: 100, sticky_cache_hit_rate: 0.9, sticky_cache_miss_rate_per_sec: 0.1 },
      poll: { long_poll_latency_p95_ms: 30, long_poll_failure_rate_per_sec: 0 },
    },
    missing: [{ signal: 'primary.frontend.long_poll_latency_p99_ms', reason: 'no_series' }],
  };
  return parseOrThrow(SignalsSnapshotType, value, 'fixture snapshot');
}

export function decision(input: {
  cluster: string;
  atMs: number;
  state?: Decision['health_state'];
  firing?: string[];
  fingerprint?: string;
}): Decision {
  const state = input.state ?? 'happy';
  const value = {
    at: iso(input.atMs),
    cluster: input.cluster,
    health_state: state,
    previous_state: 'happy',
    scale_band: 'mid-scale',
    consecutive_critical: state === 'critical' ? 2 : 0,
    idle: false,
    system_busy: false,
    firing: (input.firing ?? []).map((rule) => ({
      rule_id: rule,
      signal: 'primary.history.backlog_age_sec',
      value: 200,
      threshold: 120,
      comparison: 'above',
      level: 'critical',
      suppressed: false,
    })),
    nearest_escalation: null,
    data_quality: 'partial',
    unevaluated_rules: [],
    services: [{ name: 'history', status: state, reasons: input.firing ?? [] }],
    bottleneck: { classification: 'healthy', server_reasons: [], worker_reasons: [] },
    worker_advisories: [],
    fingerprint: input.fingerprint ?? `fp-${state}-${(input.firing ?? []).join('+')}`,
    rule_version: 'rules-test-1',
  };
  return parseOrThrow(DecisionType, value, 'fixture decision');
}

export function engineState(state: Decision['health_state'] = 'happy'): EngineState {
  return parseOrThrow(
    EngineStateType,
    {
      health_state: state,
      last_known_state: state === 'unknown' ? 'stressed' : state,
      consecutive_critical: state === 'critical' ? 2 : 0,
      scale_band: 'mid-scale',
      // The fixture decision carries no progress evidence, so no baseline is restored with it.
      progress_baseline: null,
    },
    'fixture engine state',
  );
}

export function action(target: string): SuggestedAction {
  return {
    action_type: 'scale',
    target_service: target,
    description: `scale ${target}`,
    parameters: { replicas: 4, dry_run: false },
    risk_level: 'medium',
    confidence: 0.7,
  };
}

export function issue(input: { ruleId: string | null; title?: string; severity?: Issue['severity'] }): Issue {
  return {
    severity: input.severity ?? 'critical',
    title: input.title ?? `issue from ${input.ruleId ?? 'explainer'}`,
    description: 'history backlog is growing',
    likely_cause: 'persistence latency',
    suggested_actions: [action('history'), action('matching')],
    related_signals: ['primary.history.backlog_age_sec'],
    related_logs: [],
    rule_id: input.ruleId,
  };
}

export function assessment(input: {
  cluster: string;
  key: string;
  atMs: number;
  state?: Decision['health_state'];
  issues?: Issue[];
  fingerprint?: string;
}): Assessment {
  const issues = input.issues ?? [];
  const firing = issues.flatMap((i) => (i.rule_id ? [i.rule_id] : []));
  const d = decision({
    cluster: input.cluster,
    atMs: input.atMs,
    state: input.state ?? (issues.length > 0 ? 'critical' : 'happy'),
    firing,
    ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
  });
  const value = {
    assessment_key: input.key,
    cluster: input.cluster,
    at: iso(input.atMs),
    trigger: 'state_change',
    health_state: d.health_state,
    decision: d,
    summary: `cluster is ${d.health_state}`,
    explainer: 'rules',
    issues,
    recommended_actions: [action('frontend')],
    log_patterns: [pattern({ signature: 'shard-ownership-lost', startMs: input.atMs - 60_000, endMs: input.atMs })],
    explain_duration_ms: 12,
    rule_version: 'rules-test-1',
  };
  return parseOrThrow(AssessmentType, value, 'fixture assessment');
}

export function pattern(input: { signature: string; startMs: number; endMs: number; count?: number }): LogPattern {
  return parseOrThrow(
    LogPatternType,
    {
      signature_id: input.signature,
      pattern: `pattern ${input.signature}`,
      service: 'history',
      count: input.count ?? 3,
      sample_message: null,
      window_start: iso(input.startMs),
      window_end: iso(input.endMs),
    },
    'fixture log pattern',
  );
}

export function cycle(input: { cluster: string; atMs: number; cycleKey?: string; state?: Decision['health_state'] }) {
  const state = input.state ?? 'happy';
  return {
    cluster: input.cluster,
    cycleKey: input.cycleKey ?? String(input.atMs),
    snapshot: snapshot(input),
    decision: decision({ cluster: input.cluster, atMs: input.atMs, state }),
    engineState: engineState(state),
  };
}
