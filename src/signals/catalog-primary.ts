import {
  ACTIVITY_QUEUE,
  APP_QUEUES,
  FAILED_COUNTERS,
  FRONTEND,
  FRONTEND_ALIVE,
  failedRate,
  guardedShare,
  HISTORY,
  HISTORY_ALIVE,
  LONG_POLLS,
  MATCHING,
  POLL_FLOOR_PER_SEC,
  PRIMARY_GATES,
  pollSuccess,
  pollTimeouts,
  rateOrZeroWhileAlive,
  single,
  successRate,
  sumOfCounterRates,
  WORKFLOW_QUEUE,
} from './catalog-measures.ts';
import { PROGRESS_SIGNALS } from './catalog-progress.ts';
import type { SignalDefinition } from './catalog-types.ts';
import { eq, re } from './query-builder.ts';

/**
 * The signal catalog: every value in the SignalsSnapshot, its unit, and how each naming style measures it.
 * A value no series measures honestly is `not_measurable` (null in every snapshot, listed in `missing`), never a
 * constant, a cumulative counter shown as a rate, or `or vector(0)`.
 */
export const PRIMARY_SIGNALS: readonly SignalDefinition[] = [
  // ── primary ──────────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'primary.state_transitions.throughput_per_sec',
    unit: 'per_sec',
    summary: 'Forward progress: persisted mutable-state updates per second (state_transition_count observations).',
    blinds: `${PRIMARY_GATES} (throughput collapse, idle, healthy floor) and scale-band selection`,
    // Each persisted update records one observation; `_count` counts updates, `_sum` would add cumulative totals.
    measure: single((b) => b.observationRate('state_transition_count', 'dimensionless')),
  },
  ...(['95', '99'] as const).map(
    (q): SignalDefinition => ({
      id: `primary.state_transitions.latency_p${q}_ms`,
      unit: 'ms',
      summary: `p${q} time to persist a state transition (history UpdateWorkflowExecution persistence latency).`,
      blinds: `${PRIMARY_GATES} (state-transition latency, stressed)`,
      // state_transition_count is a count histogram, not a timer; the transition's cost is the update's latency.
      measure: single((b) =>
        b.timerQuantile({
          quantile: Number(q) / 100,
          name: 'persistence_latency',
          unit: 'ms',
          matchers: [HISTORY, eq('operation', 'UpdateWorkflowExecution')],
        }),
      ),
    }),
  ),
  {
    id: 'primary.workflow_completion.completion_rate',
    unit: 'ratio',
    summary: 'success / (success + failed + timed out); 1.0 when all are 0 while history is scraped.',
    blinds: `${PRIMARY_GATES} (completion collapse, healthy completion; demand-gated by the engine)`,
    measure: {
      kind: 'promql',
      inputs: (b) => ({
        success: successRate(b),
        ...Object.fromEntries(FAILED_COUNTERS.map((name) => [name, failedRate(name)(b)])),
      }),
      optionalInputs: true,
      derive: (v) => {
        const success = v['success'];
        const failures = FAILED_COUNTERS.flatMap((name) => v[name] ?? []);
        if (success === undefined || failures.length === 0) {
          return { missing: 'no_series', detail: 'no workflow outcome counter and no history persistence_requests' };
        }
        const total = success + failures.reduce((sum, value) => sum + value, 0);
        return { value: total === 0 ? 1 : success / total };
      },
      clamp: 'ratio',
    },
  },
  {
    id: 'primary.workflow_completion.success_per_sec',
    unit: 'per_sec',
    summary: 'Workflows completed successfully per second.',
    blinds: `${PRIMARY_GATES} (completion demand floor)`,
    measure: single(successRate),
  },
  {
    id: 'primary.workflow_completion.failed_per_sec',
    unit: 'per_sec',
    summary: 'Workflows failed or timed out per second.',
    blinds: `${PRIMARY_GATES} (idle check, completion demand floor)`,
    measure: {
      kind: 'promql',
      inputs: (b) => Object.fromEntries(FAILED_COUNTERS.map((name) => [name, failedRate(name)(b)])),
      optionalInputs: true,
      derive: (v) => {
        const present = Object.values(v);
        if (present.length === 0) return { missing: 'no_series', detail: 'history is not scraped' };
        return { value: present.reduce((sum, value) => sum + value, 0) };
      },
    },
  },
  {
    id: 'primary.history.backlog_age_sec',
    unit: 'sec',
    summary: 'p95 end-to-end history task latency, generation to completion (task_latency_queue).',
    blinds: `${PRIMARY_GATES} (backlog critical/stressed/healthy, idle)`,
    measure: single((b) =>
      b.timerQuantile({ quantile: 0.95, name: 'task_latency_queue', unit: 'sec', matchers: [HISTORY] }),
    ),
  },
  {
    id: 'primary.history.task_processing_rate_per_sec',
    unit: 'per_sec',
    summary: 'History tasks processed per second.',
    blinds: `${PRIMARY_GATES} (processing collapse, idle)`,
    measure: single((b) => b.counterRate('task_requests', [HISTORY])),
  },
  {
    id: 'primary.history.shard_churn_rate_per_sec',
    unit: 'per_sec',
    summary: 'Shard ownership changes per second (shard items created + removed).',
    blinds: `${PRIMARY_GATES} (shard churn, stressed)`,
    measure: sumOfCounterRates(['sharditem_created_count', 'sharditem_removed_count'], [], '5m'),
  },
  {
    id: 'primary.frontend.error_rate_per_sec',
    unit: 'per_sec',
    summary: 'Unexpected frontend request errors per second (service_errors, not client errors such as NotFound).',
    blinds: `${PRIMARY_GATES} (idle check); frontend service status`,
    measure: single(rateOrZeroWhileAlive('service_errors', FRONTEND_ALIVE, [FRONTEND])),
  },
  ...(['95', '99'] as const).map(
    (q): SignalDefinition => ({
      id: `primary.frontend.latency_p${q}_ms`,
      unit: 'ms',
      summary: `p${q} frontend API latency excluding every long poll (Poll* operations, awaited results included).`,
      blinds: `${PRIMARY_GATES} (frontend latency, stressed; demand-gated)`,
      measure: single((b) =>
        b.timerQuantile({
          quantile: Number(q) / 100,
          name: 'service_latency',
          unit: 'ms',
          matchers: [FRONTEND, LONG_POLLS],
        }),
      ),
    }),
  ),
  {
    id: 'primary.frontend.long_poll_latency_p99_ms',
    unit: 'ms',
    summary: 'Raw p99 frontend latency including long polls (~60–90 s on idle clusters; context, not a gate).',
    blinds: 'context for the explainer',
    measure: single((b) =>
      b.timerQuantile({ quantile: 0.99, name: 'service_latency', unit: 'ms', matchers: [FRONTEND] }),
    ),
  },
  // Matching backlog age: asyncmatch_latency is recorded by matching only for tasks dispatched from the persisted
  // backlog (not sync-matched), measured from task creation, so its p95 is the age of backlog tasks at dispatch.
  // The original's task_latency_queue{service_name="matching", task_type="WorkflowTask"} is a history timer with
  // other task_type values: that series does not exist. A quiet cluster whose pollers take every task at once never
  // creates asyncmatch_latency at all, so the age comes from approximate_backlog_count when no dispatch says it:
  // nothing waits → 0 (measured, not assumed); tasks wait undispatched → matching's own backlog-age gauge
  // (approximate_backlog_age_seconds, exported with the count), else unknown; no gauge → unknown.
  ...(
    [
      ['workflow', WORKFLOW_QUEUE],
      ['activity', ACTIVITY_QUEUE],
    ] as const
  ).map(
    ([kind, queue]): SignalDefinition => ({
      id: `primary.matching.${kind}_backlog_age_sec`,
      unit: 'sec',
      summary: `p95 age of ${kind} tasks dispatched from the matching backlog (asyncmatch_latency).`,
      blinds: `${PRIMARY_GATES} (idle check); matching service status`,
      measure: {
        kind: 'promql',
        inputs: (b) => ({
          age: b.timerQuantile({
            quantile: 0.95,
            name: 'asyncmatch_latency',
            unit: 'sec',
            matchers: [MATCHING, queue, ...APP_QUEUES],
          }),
          waiting: b.gaugeSum('approximate_backlog_count', [MATCHING, queue, ...APP_QUEUES]),
          oldestWaitingSec: b.gaugeMax('approximate_backlog_age_seconds', [MATCHING, queue, ...APP_QUEUES]),
          dispatchedPerSec: b.observationRate('asyncmatch_latency', 'timer', [MATCHING, queue, ...APP_QUEUES]),
        }),
        optionalInputs: true,
        derive: (v) => {
          const { age, waiting, dispatchedPerSec, oldestWaitingSec } = v;
          // The 5m quantile lags a stall; tasks waiting with nothing dispatched for a minute is a stalled queue,
          // whose age only matching's gauge can tell (it is what rules idle out when workers are gone).
          if (waiting !== undefined && waiting > 0 && (dispatchedPerSec ?? 0) === 0) {
            if (oldestWaitingSec !== undefined && Number.isFinite(oldestWaitingSec)) return { value: oldestWaitingSec };
            return { missing: 'low_volume', detail: `nothing dispatched in 1m while ${waiting} tasks wait` };
          }
          // Nothing waits now: the gauge is fresher than a 5-minute quantile, which kept reading 37–45 s for minutes
          // after a real drain and vetoed idle.
          if (waiting === 0) return { value: 0 };
          if (age !== undefined && !Number.isNaN(age)) return { value: age };
          if (waiting === undefined) {
            const why = age === undefined ? 'no asyncmatch_latency series' : 'no backlog dispatch';
            return { missing: age === undefined ? 'no_series' : 'low_volume', detail: `${why} and no backlog gauge` };
          }
          return { missing: 'low_volume', detail: `no backlog dispatch while ${waiting} tasks wait` };
        },
        volumeGuard: 'null while tasks wait and nothing was dispatched from the backlog, unless the age gauge says',
      },
    }),
  ),
  ...PROGRESS_SIGNALS,
  {
    id: 'primary.poller.poll_success_rate',
    unit: 'ratio',
    summary: 'Polls that got a task / all poll outcomes; null below 0.01 outcomes/s.',
    blinds: 'poller health context; matching service status',
    measure: guardedShare(pollSuccess, pollTimeouts, POLL_FLOOR_PER_SEC),
  },
  {
    id: 'primary.poller.poll_timeout_rate',
    unit: 'ratio',
    summary: 'Polls that timed out empty / all poll outcomes; null below 0.01 outcomes/s.',
    blinds: `${PRIMARY_GATES} (poller timeouts, stressed; demand-gated)`,
    measure: guardedShare(pollTimeouts, pollSuccess, POLL_FLOOR_PER_SEC),
  },
  {
    id: 'primary.poller.long_poll_latency_ms',
    unit: 'ms',
    summary: 'p95 matching poll latency.',
    blinds: 'context for the explainer',
    measure: single((b) => b.timerQuantile({ quantile: 0.95, name: 'poll_latency', unit: 'ms', matchers: [MATCHING] })),
  },
  ...(['95', '99'] as const).map(
    (q): SignalDefinition => ({
      id: `primary.persistence.latency_p${q}_ms`,
      unit: 'ms',
      summary: `p${q} history persistence latency, all operations.`,
      blinds: `${PRIMARY_GATES} (persistence latency, stressed); persistence service status`,
      measure: single((b) =>
        b.timerQuantile({ quantile: Number(q) / 100, name: 'persistence_latency', unit: 'ms', matchers: [HISTORY] }),
      ),
    }),
  ),
  {
    id: 'primary.persistence.error_rate_per_sec',
    unit: 'per_sec',
    summary: 'History persistence errors per second.',
    blinds: `${PRIMARY_GATES} (persistence failing, critical; idle)`,
    measure: single(rateOrZeroWhileAlive('persistence_errors', HISTORY_ALIVE, [HISTORY])),
  },
  {
    id: 'primary.persistence.retry_rate_per_sec',
    unit: 'per_sec',
    summary: 'DSQL plugin transaction retries per second (dsql_tx_retry_total; DSQL deployments only).',
    blinds: 'persistence context (DSQL only)',
    measure: single((b) => b.counterRate('dsql_tx_retry')),
  },
  {
    id: 'primary.system_operations.deletion_rate_per_sec',
    unit: 'per_sec',
    summary: 'History delete tasks (retention, visibility deletes) per second.',
    blinds: `${PRIMARY_GATES} (system-busy detection, idle)`,
    // Delete task types (TimerActiveTaskDeleteHistoryEvent, …) appear only after the first retention delete.
    measure: single(rateOrZeroWhileAlive('task_requests', HISTORY_ALIVE, [HISTORY, re('task_type', '.*Delete.*')])),
  },
  {
    id: 'primary.system_operations.cleanup_delete_rate_per_sec',
    unit: 'per_sec',
    summary: 'Workflow cleanup deletes per second (workflow_cleanup_delete).',
    blinds: `${PRIMARY_GATES} (system-busy detection, idle)`,
    // Created on the first cleanup delete (service/history/deletemanager/delete_manager.go).
    measure: single(rateOrZeroWhileAlive('workflow_cleanup_delete', HISTORY_ALIVE, [HISTORY])),
  },
];
