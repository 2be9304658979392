import {
  ACTIVITY_QUEUE,
  guardedShare,
  POLL_FLOOR_PER_SEC,
  single,
  stickyHits,
  stickyMisses,
  USER_WORKERS,
  WORKFLOW_QUEUE,
  workerSignal as worker,
} from './catalog-measures.ts';
import type { SignalDefinition } from './catalog-types.ts';
import { eq, re } from './query-builder.ts';

/** SDK-side and schedule-to-start signals: whether the workers, not the server, are the bottleneck. */
export const WORKER_SIGNALS: readonly SignalDefinition[] = [
  // Worker signals: server-side schedule-to-start (recorded by history when a task starts) needs no SDK metrics.
  ...(['95', '99'] as const).flatMap((q) => [
    worker(
      `worker.wft_schedule_to_start_p${q}_ms`,
      'ms',
      `p${q} workflow task schedule-to-start (server side).`,
      single((b) =>
        b.timerQuantile({
          quantile: Number(q) / 100,
          name: 'task_schedule_to_start_latency',
          unit: 'ms',
          matchers: [WORKFLOW_QUEUE],
        }),
      ),
    ),
    worker(
      `worker.activity_schedule_to_start_p${q}_ms`,
      'ms',
      `p${q} activity task schedule-to-start (server side).`,
      single((b) =>
        b.timerQuantile({
          quantile: Number(q) / 100,
          name: 'task_schedule_to_start_latency',
          unit: 'ms',
          matchers: [ACTIVITY_QUEUE],
        }),
      ),
    ),
  ]),
  ...(
    [
      // sdk-core reports workflow pollers under two poller types: the normal and the sticky queue.
      ['workflow', 'WorkflowWorker', 'workflow_task|sticky_workflow_task'],
      ['activity', 'ActivityWorker', 'activity_task'],
    ] as const
  ).flatMap(([kind, workerType, pollerType]) => [
    worker(
      `worker.${kind}_slots_available`,
      'count',
      `SDK free ${kind} slots.`,
      single((b) => b.gaugeSum('temporal_worker_task_slots_available', [eq('worker_type', workerType), USER_WORKERS])),
    ),
    worker(
      `worker.${kind}_slots_used`,
      'count',
      `SDK used ${kind} slots.`,
      single((b) => b.gaugeSum('temporal_worker_task_slots_used', [eq('worker_type', workerType), USER_WORKERS])),
    ),
    worker(
      `worker.${kind}_pollers`,
      'count',
      `SDK ${kind} pollers.`,
      single((b) => b.gaugeSum('temporal_num_pollers', [re('poller_type', pollerType), USER_WORKERS])),
    ),
  ]),
  worker(
    'worker_amplifiers.cache.sticky_cache_size',
    'count',
    'SDK sticky cache size (workflows).',
    single((b) => b.gaugeSum('temporal_sticky_cache_size', [USER_WORKERS])),
  ),
  worker(
    'worker_amplifiers.cache.sticky_cache_hit_rate',
    'ratio',
    'SDK sticky cache hits / (hits + misses); null below 0.01/s.',
    guardedShare(stickyHits, stickyMisses, POLL_FLOOR_PER_SEC),
  ),
  worker(
    'worker_amplifiers.cache.sticky_cache_miss_rate_per_sec',
    'per_sec',
    'SDK sticky cache misses per second.',
    single(stickyMisses),
  ),
  worker(
    'worker_amplifiers.poll.long_poll_latency_p95_ms',
    'ms',
    'SDK p95 long-poll latency.',
    single((b) =>
      b.sdkTimerQuantile({ quantile: 0.95, name: 'temporal_long_request_latency', matchers: [USER_WORKERS] }),
    ),
  ),
  worker(
    'worker_amplifiers.poll.long_poll_failure_rate_per_sec',
    'per_sec',
    'SDK long-poll failures per second.',
    single((b) => b.sdkCounterRate('temporal_long_request_failure', [USER_WORKERS], '5m')),
  ),
  // A killed worker's endpoint reads up == 0 while its last series are still within 15 minutes: the targets that
  // exported SDK metrics recently are known even once they are gone. 0 only while some such target exists.
  worker(
    'worker.sdk_endpoints_down',
    'count',
    'Scraped SDK metric endpoints down (up == 0) among those that exported temporal_num_pollers in 15 minutes.',
    single((b) => {
      const recent = `group by (job, instance) (last_over_time(${b.select('temporal_num_pollers', [USER_WORKERS])}[15m]))`;
      const targets = `(${b.select('up')} and on (job, instance) ${recent})`;
      // 0 only when Prometheus has `up` for those targets under the cluster's selector; otherwise unknown.
      return `count(${targets} == 0) or (0 * count(${targets}))`;
    }),
  ),
];
