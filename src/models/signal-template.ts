/**
 * Every measured value of a SignalsSnapshot, by group, as plain data (no ArkType), so readers of snapshots written
 * by an older copilot, or by hand, can fill the fields it did not have with null (no data) before validating, and
 * name fields no copilot ever wrote. test/models/signal-template.test.ts keeps it equal to the signal catalog.
 */

type Group = Readonly<Record<string, readonly string[]>>;

export const SIGNAL_TEMPLATE = {
  primary: {
    state_transitions: ['throughput_per_sec', 'latency_p95_ms', 'latency_p99_ms'],
    workflow_completion: ['completion_rate', 'success_per_sec', 'failed_per_sec'],
    history: ['backlog_age_sec', 'task_processing_rate_per_sec', 'shard_churn_rate_per_sec'],
    frontend: ['error_rate_per_sec', 'latency_p95_ms', 'latency_p99_ms', 'long_poll_latency_p99_ms'],
    matching: [
      'workflow_backlog_age_sec',
      'activity_backlog_age_sec',
      'backlog_tasks',
      'backlog_growth_per_sec',
      'stalled_task_queues',
    ],
    demand: ['workflow_starts_per_sec'],
    poller: ['poll_success_rate', 'poll_timeout_rate', 'long_poll_latency_ms'],
    persistence: ['latency_p95_ms', 'latency_p99_ms', 'error_rate_per_sec', 'retry_rate_per_sec'],
    system_operations: ['deletion_rate_per_sec', 'cleanup_delete_rate_per_sec'],
  },
  amplifiers: {
    persistence: ['occ_conflicts_per_sec', 'cas_failures_per_sec', 'serialization_failures_per_sec'],
    connection_pool: [
      'utilization_pct',
      'wait_rate_per_sec',
      'wait_duration_ms',
      'churn_rate_per_sec',
      'opens_per_sec',
      'closes_per_sec',
    ],
    queue: ['task_backlog_depth', 'retry_time_spent_sec'],
    worker: ['poller_concurrency', 'task_slots_available', 'task_slots_used'],
    cache: ['hit_rate', 'evictions_per_sec', 'size_bytes'],
    shard: ['hot_shard_ratio', 'max_shard_load_pct', 'lock_latency_p95_ms'],
    grpc: ['in_flight_requests', 'server_queue_depth'],
    runtime: ['goroutines', 'blocked_goroutines'],
    host: ['cpu_throttle_pct', 'memory_rss_bytes', 'gc_pause_ms'],
    throttling: ['rate_limit_events_per_sec', 'admission_rejects_per_sec'],
    deploy: ['task_restarts', 'membership_changes_per_min', 'leader_changes_per_min'],
  },
  worker: {
    '': [
      'wft_schedule_to_start_p95_ms',
      'wft_schedule_to_start_p99_ms',
      'activity_schedule_to_start_p95_ms',
      'activity_schedule_to_start_p99_ms',
      'workflow_slots_available',
      'workflow_slots_used',
      'activity_slots_available',
      'activity_slots_used',
      'workflow_pollers',
      'activity_pollers',
      'sdk_endpoints_down',
    ],
  },
  worker_amplifiers: {
    cache: ['sticky_cache_size', 'sticky_cache_hit_rate', 'sticky_cache_miss_rate_per_sec'],
    poll: ['long_poll_latency_p95_ms', 'long_poll_failure_rate_per_sec'],
  },
} as const satisfies Readonly<Record<string, Group>>;

/** Every signal's dotted path (`primary.matching.backlog_tasks`, `worker.workflow_pollers`). */
export function signalPaths(): string[] {
  return Object.entries(SIGNAL_TEMPLATE).flatMap(([group, subgroups]) =>
    Object.entries(subgroups).flatMap(([subgroup, fields]: [string, readonly string[]]) =>
      fields.map((field) => [group, subgroup, field].filter((part) => part !== '').join('.')),
    ),
  );
}

/** A plain JSON object (not null, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Paths inside the signal groups that no snapshot has (a misspelt or invented signal). */
export function unknownSignalFields(raw: unknown): string[] {
  if (!isRecord(raw)) return [];
  const known = new Set(signalPaths());
  const prefixes = new Set(
    [...known].flatMap((path) =>
      path
        .split('.')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('.')),
    ),
  );
  const unknown: string[] = [];
  const visit = (node: Record<string, unknown>, path: string) => {
    for (const [key, value] of Object.entries(node)) {
      const child = `${path}.${key}`;
      if (isRecord(value) && prefixes.has(child)) visit(value, child);
      else if (!known.has(child)) unknown.push(child);
    }
  };
  for (const group of Object.keys(SIGNAL_TEMPLATE)) {
    const node = raw[group];
    if (isRecord(node)) visit(node, group);
  }
  return unknown;
}

/**
 * A copy of `raw` in which every signal field that is absent is null and listed in `missing` as `not_queried`
 * (once). A group or field that is present but not an object or number is left as it is, so validation still
 * names it. Anything that is not an object is returned unchanged.
 */
export function fillAbsentSignals(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const copy: Record<string, unknown> = structuredClone(raw);
  const missing: unknown[] = Array.isArray(copy['missing']) ? [...copy['missing']] : [];
  const listed = new Set(missing.flatMap((entry) => (isRecord(entry) ? [entry['signal']] : [])));
  for (const path of signalPaths()) {
    const parts = path.split('.');
    let node: Record<string, unknown> | null = copy;
    for (const part of parts.slice(0, -1)) {
      if (node === null) break;
      if (!(part in node)) node[part] = {};
      const next: unknown = node[part];
      node = isRecord(next) ? next : null;
    }
    const leaf = parts.at(-1) ?? path;
    if (node === null || leaf in node) continue;
    node[leaf] = null;
    if (!listed.has(path))
      missing.push({ signal: path, reason: 'not_queried', detail: 'absent from the stored snapshot' });
  }
  copy['missing'] = missing;
  return copy;
}
