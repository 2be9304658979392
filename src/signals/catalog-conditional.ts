/**
 * Metric families the catalog reads that a healthy, serving Temporal server does not emit until something specific
 * happens (a counter or histogram appears on its first observation), keyed by family with the condition. Checked
 * against a real dev server by `test/signals/real-server-catalog.test.ts`: every other family the catalog reads must
 * be on the server once it has run a few workflows, so a misspelt or invented name cannot hide here.
 * Sources: Temporal server v1.29.1 `common/metrics/metric_defs.go` and the call sites named below.
 */
export const EMITTED_ONLY_WHEN: Readonly<Record<string, string>> = {
  // Aurora DSQL persistence plugin (reference §16.3); a SQLite, PostgreSQL or Cassandra store never has them.
  dsql_pool_in_use: 'the Aurora DSQL persistence plugin is in use',
  dsql_pool_max_open: 'the Aurora DSQL persistence plugin is in use',
  dsql_pool_wait: 'the Aurora DSQL persistence plugin is in use and a pool checkout waited',
  dsql_pool_wait_duration: 'the Aurora DSQL persistence plugin is in use and a pool checkout waited',
  dsql_reservoir_discards: 'the Aurora DSQL persistence plugin is in use and discards a reservoir connection',
  dsql_reservoir_refills: 'the Aurora DSQL persistence plugin is in use and refills its connection reservoir',
  dsql_tx_conflict: 'the Aurora DSQL persistence plugin is in use and a transaction hits an OCC conflict',
  dsql_tx_retry: 'the Aurora DSQL persistence plugin is in use and retries a transaction',
  // Upstream SQL stores' database/sql pool stats (sqlplugin/db_metrics.go); SQLite in the dev server has none.
  persistence_sql_in_use: 'an upstream SQL persistence store (PostgreSQL, MySQL) reports its connection pool',
  persistence_sql_max_open_conn: 'an upstream SQL persistence store (PostgreSQL, MySQL) reports its connection pool',
  // Errors: recorded on the first occurrence only. Signals read them as 0 while a counter their service always exports
  // is scraped (QueryBuilder.firstOccurrenceRate), and as unknown when it is not (persistence_metric_clients.go updateErrorMetric,
  // rpc/interceptor/telemetry.go recordErrorMetrics).
  persistence_errors:
    'a persistence call fails unexpectedly (NotFound, ConditionFailed, ShardOwnershipLost, Timeout are excluded)',
  persistence_errors_resource_exhausted: 'the persistence rate limiter rejects a request',
  service_errors: 'an RPC fails unexpectedly (InvalidArgument, NotFound, AlreadyExists and similar are excluded)',
  service_errors_resource_exhausted: 'an RPC is rejected with ResourceExhausted (rate limits, busy workflow)',
  workflow_failed: 'a workflow execution fails, which needs a worker that fails it',
  // Workflow outcome counters (history emitWorkflowCompletionStats, operation="CompletionStats"): an idle dev server
  // has none of them until a workflow closes that way.
  workflow_success: 'a workflow execution completes successfully',
  workflow_timeout: 'a workflow execution times out (execution or run timeout)',
  persistence_error_with_type: 'a persistence call fails unexpectedly (carries the error type)',
  // Matching: asyncmatch_latency is recorded only for a task dispatched from the persisted backlog
  // (matching_engine.go); tasks handed straight to a waiting poller record syncmatch instead.
  asyncmatch_latency: 'matching dispatches a task from the persisted backlog to a poller that arrived later',
  // History host events.
  cache_entry_age_on_eviction: 'a history cache evicts an entry (cache full or TTL expired; cache/lru.go)',
  membership_changed_count: 'the history ring changes after startup (a host joins or leaves; shard/ownership.go)',
  sharditem_removed_count: 'a shard leaves this history host (rebalancing or shutdown)',
  // Prometheus's own per-target scrape health, not a server series (read for the SDK endpoints' `up == 0`).
  up: 'Prometheus scrapes the target (its own series, never on the /metrics page)',
  // SDK metrics come from workers, not from the server's own roles.
  temporal_long_request_failure: 'an SDK worker long poll fails (network, rate limiting, server errors)',
  temporal_sticky_cache_hit: 'an SDK worker with a sticky cache completes a sticky workflow task',
  temporal_sticky_cache_miss: 'an SDK worker misses its sticky cache (eviction, restart, cache too small)',
};
