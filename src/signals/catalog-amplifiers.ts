import {
  amplifier as amp,
  HISTORY,
  HISTORY_ALIVE,
  notMeasurable,
  rateOrZeroWhileAlive,
  single,
  USER_WORKERS,
} from './catalog-measures.ts';
import type { Derived, SignalDefinition } from './catalog-types.ts';
import { eq, re } from './query-builder.ts';

/** Amplifiers: why the state is what it is. They never decide it. */
export const AMPLIFIER_SIGNALS: readonly SignalDefinition[] = [
  amp(
    'amplifiers.persistence.occ_conflicts_per_sec',
    'per_sec',
    'DSQL OCC conflicts per second.',
    single((b) => b.counterRate('dsql_tx_conflict')),
  ),
  amp(
    'amplifiers.persistence.cas_failures_per_sec',
    'per_sec',
    'Conditional-update (CAS) failures per second: persistence ConditionFailedError.',
    single(
      rateOrZeroWhileAlive('persistence_error_with_type', HISTORY_ALIVE, [
        HISTORY,
        re('error_type', '.*ConditionFailed.*'),
      ]),
    ),
  ),
  amp(
    'amplifiers.persistence.serialization_failures_per_sec',
    'per_sec',
    'Serialization failures.',
    notMeasurable('DSQL reports serialization failures (SQLSTATE 40001) as OCC conflicts: see occ_conflicts_per_sec'),
  ),
  // The DSQL plugin's own pool gauges where it runs; upstream SQL stores (PostgreSQL, MySQL) report database/sql's
  // pool stats instead (common/persistence/sql/sqlplugin/db_metrics.go: persistence_sql_in_use, _max_open_conn).
  amp('amplifiers.connection_pool.utilization_pct', 'pct', 'Connections in use / pool maximum.', {
    kind: 'promql',
    inputs: (b) => ({
      dsqlInUse: b.gaugeSum('dsql_pool_in_use'),
      dsqlMax: b.gaugeSum('dsql_pool_max_open'),
      sqlInUse: b.gaugeSum('persistence_sql_in_use'),
      sqlMax: b.gaugeSum('persistence_sql_max_open_conn'),
    }),
    optionalInputs: true,
    derive: (v): Derived => {
      const [inUse, max] =
        v['dsqlInUse'] !== undefined && v['dsqlMax'] !== undefined
          ? [v['dsqlInUse'], v['dsqlMax']]
          : [v['sqlInUse'], v['sqlMax']];
      if (inUse === undefined || max === undefined) {
        return { missing: 'no_series', detail: 'neither dsql_pool_* nor persistence_sql_* pool gauges exist' };
      }
      // database/sql reports MaxOpenConnections 0 for an unlimited pool: there is no ceiling to be near.
      if (!(max > 0)) return { missing: 'low_volume', detail: 'the pool has no maximum (max open connections 0)' };
      return { value: (100 * inUse) / max };
    },
    clamp: 'pct',
    volumeGuard: 'null when the pool has no maximum (max open connections 0: unlimited)',
  }),
  amp(
    'amplifiers.connection_pool.wait_rate_per_sec',
    'per_sec',
    'Pool checkouts that had to wait, per second.',
    single((b) => b.counterRate('dsql_pool_wait')),
  ),
  amp(
    'amplifiers.connection_pool.wait_duration_ms',
    'ms',
    'p95 time waiting for a pooled connection.',
    single((b) => b.timerQuantile({ quantile: 0.95, name: 'dsql_pool_wait_duration', unit: 'ms', window: '5m' })),
  ),
  amp(
    'amplifiers.connection_pool.opens_per_sec',
    'per_sec',
    'Reservoir refills (connections opened) per second.',
    single((b) => b.counterRate('dsql_reservoir_refills')),
  ),
  amp(
    'amplifiers.connection_pool.closes_per_sec',
    'per_sec',
    'Reservoir discards (connections closed) per second.',
    single((b) => b.counterRate('dsql_reservoir_discards')),
  ),
  amp('amplifiers.connection_pool.churn_rate_per_sec', 'per_sec', 'Connections opened + closed per second.', {
    kind: 'promql',
    inputs: (b) => ({
      opens: b.counterRate('dsql_reservoir_refills'),
      closes: b.counterRate('dsql_reservoir_discards'),
    }),
    derive: (v) => ({ value: (v['opens'] ?? 0) + (v['closes'] ?? 0) }),
  }),
  amp(
    'amplifiers.queue.task_backlog_depth',
    'count',
    'Approximate matching backlog, tasks (0 for unloaded idle queues).',
    single((b) => b.gaugeSum('approximate_backlog_count')),
  ),
  amp(
    'amplifiers.queue.retry_time_spent_sec',
    'sec',
    'Time spent retrying.',
    notMeasurable('no exporter records time spent in retries; an error rate is not a duration'),
  ),
  amp(
    'amplifiers.worker.poller_concurrency',
    'count',
    'SDK pollers (all types).',
    single((b) => b.gaugeSum('temporal_num_pollers', [USER_WORKERS])),
  ),
  amp(
    'amplifiers.worker.task_slots_available',
    'count',
    'SDK free task slots (all worker types).',
    single((b) => b.gaugeSum('temporal_worker_task_slots_available', [USER_WORKERS])),
  ),
  amp(
    'amplifiers.worker.task_slots_used',
    'count',
    'SDK used task slots (all worker types).',
    single((b) => b.gaugeSum('temporal_worker_task_slots_used', [USER_WORKERS])),
  ),
  // Mutable-state cache only: the events cache shares the metric names and counts puts, deletes and store reads
  // as requests (service/history/events/cache.go), which made the mixed ratio meaningless.
  amp('amplifiers.cache.hit_rate', 'ratio', 'History mutable-state cache hits / requests; null below 0.1/s.', {
    kind: 'promql',
    inputs: (b) => ({
      requests: b.counterRate('cache_requests', [HISTORY, eq('cache_type', 'mutablestate')]),
      misses: b.counterRate('cache_miss', [HISTORY, eq('cache_type', 'mutablestate')]),
    }),
    derive: (v): Derived => {
      const requests = v['requests'] ?? 0;
      if (requests < 0.1) return { missing: 'low_volume', detail: `${requests.toFixed(4)} requests/s < 0.1/s` };
      return { value: 1 - (v['misses'] ?? 0) / requests };
    },
    clamp: 'ratio',
    volumeGuard: 'null below 0.1 mutable-state cache requests/s',
  }),
  amp(
    'amplifiers.cache.evictions_per_sec',
    'per_sec',
    'History cache evictions per second (cache_entry_age_on_eviction observations).',
    single((b) => b.observationRate('cache_entry_age_on_eviction', 'timer', [HISTORY])),
  ),
  amp(
    'amplifiers.cache.size_bytes',
    'bytes',
    'History cache size in bytes.',
    notMeasurable(
      'cache_size/cache_usage count entries unless size-based limits are on; no series is bytes unconditionally',
    ),
  ),
  amp(
    'amplifiers.shard.hot_shard_ratio',
    'ratio',
    'Share of hot shards.',
    notMeasurable('no per-shard load series is exported'),
  ),
  amp(
    'amplifiers.shard.max_shard_load_pct',
    'pct',
    'Load of the busiest shard.',
    notMeasurable('no per-shard load series is exported; lock_requests is a cumulative counter, not a load'),
  ),
  amp(
    'amplifiers.shard.lock_latency_p95_ms',
    'ms',
    'p95 shard lock latency (healthy ≈ 1 ms, > 5 ms is contention).',
    single((b) => b.timerQuantile({ quantile: 0.95, name: 'lock_latency', unit: 'ms', window: '5m' })),
  ),
  amp(
    'amplifiers.grpc.in_flight_requests',
    'count',
    // common/rpc/interceptor/concurrent_request_limit.go records it only for long-poll methods that hold a
    // concurrency token, on arrival: it is waiting pollers, not all RPCs in flight.
    'Long polls holding a concurrency token (service_pending_requests; not other RPCs).',
    single((b) => b.gaugeSum('service_pending_requests')),
  ),
  amp(
    'amplifiers.grpc.server_queue_depth',
    'count',
    'gRPC server queue depth.',
    notMeasurable('Temporal does not export gRPC server queue depth'),
  ),
  amp(
    'amplifiers.runtime.goroutines',
    'count',
    'Goroutines across server processes (each process once).',
    single((b) => b.processGaugeSum('num_goroutines')),
  ),
  amp(
    'amplifiers.runtime.blocked_goroutines',
    'count',
    'Blocked goroutines.',
    notMeasurable('Go does not export a blocked-goroutine gauge'),
  ),
  amp(
    'amplifiers.host.cpu_throttle_pct',
    'pct',
    'CPU throttling.',
    notMeasurable('needs container metrics (cgroup throttling), not exported by Temporal'),
  ),
  amp('amplifiers.host.memory_rss_bytes', 'bytes', 'Go memory held from the OS by the server processes.', {
    kind: 'promql',
    // Temporal exports no process collector (process_resident_memory_bytes is absent from both exporters, and a
    // Prometheus that has it usually has it for other jobs). Its Go runtime gauges give what the Go runtime holds:
    // heap in use + idle heap not yet returned to the OS + goroutine stacks, the bulk of a Go server's RSS.
    inputs: (b) => ({
      value: [
        b.processGaugeSum('memory_heapinuse'),
        `+ ${b.processGaugeSum('memory_heapidle')}`,
        `- ${b.processGaugeSum('memory_heapreleased')}`,
        `+ ${b.processGaugeSum('memory_stack')}`,
      ].join(' '),
    }),
  }),
  amp(
    'amplifiers.host.gc_pause_ms',
    'ms',
    'p95 Go GC pause.',
    single((b) => b.timerQuantile({ quantile: 0.95, name: 'memory_gc_pause_ms', unit: 'ms', window: '5m' })),
  ),
  amp(
    'amplifiers.throttling.rate_limit_events_per_sec',
    'per_sec',
    'Requests rejected with ResourceExhausted per second.',
    single(rateOrZeroWhileAlive('service_errors_resource_exhausted', { name: 'service_requests', matchers: [] })),
  ),
  amp(
    'amplifiers.throttling.admission_rejects_per_sec',
    'per_sec',
    'Persistence requests rejected by the persistence rate limiter per second.',
    single(
      rateOrZeroWhileAlive('persistence_errors_resource_exhausted', { name: 'persistence_requests', matchers: [] }),
    ),
  ),
  amp(
    'amplifiers.deploy.task_restarts',
    'count',
    'Task restarts.',
    notMeasurable('restarts are an orchestrator fact (ECS/Kubernetes); a restarted process resets its own counters'),
  ),
  amp(
    'amplifiers.deploy.membership_changes_per_min',
    'per_min',
    'Ring membership changes per minute.',
    single((b) => `${b.counterRate('membership_changed_count', [], '5m')} * 60`),
  ),
  amp(
    'amplifiers.deploy.leader_changes_per_min',
    'per_min',
    'Leader changes.',
    notMeasurable('Temporal has no leader; shard movement is shard_churn_rate_per_sec'),
  ),
];
