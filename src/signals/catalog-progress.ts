import {
  APP_QUEUES,
  FRONTEND,
  FRONTEND_ALIVE,
  MATCHING,
  PRIMARY_GATES,
  rateOrZeroWhileAlive,
  single,
} from './catalog-measures.ts';
import type { SignalDefinition } from './catalog-types.ts';
import { re } from './query-builder.ts';

/** How recently a poll must have ended for its queue to count as polled (see the stalled-queue signal). */
const POLLED_WINDOW = '75s';

/**
 * Progress and demand: what the application's task queues hold and whether anyone takes it, and what callers ask.
 * These tell a stall from a quiet cluster, which transitions alone cannot (a start is itself a transition).
 */
export const PROGRESS_SIGNALS: readonly SignalDefinition[] = [
  {
    id: 'primary.matching.backlog_tasks',
    unit: 'count',
    summary: 'Tasks waiting in application task queues (approximate_backlog_count, workflow and activity).',
    blinds: `${PRIMARY_GATES} (dispatch stall, idle)`,
    // service/matching/db.go emits the gauge per queue and partition while metrics.breakdownByTaskQueue and
    // breakdownByPartition are on (the defaults). Unlike the age gauge it rose 0 → 3,361 during a real outage.
    measure: single((b) => b.gaugeSum('approximate_backlog_count', [MATCHING, ...APP_QUEUES])),
  },
  {
    id: 'primary.matching.backlog_growth_per_sec',
    unit: 'per_sec',
    summary: 'Change of the application backlog per second over the last minute (> 0: tasks pile up).',
    blinds: 'dispatch stall context',
    // One minute, like the start rate it is read with: a longer window kept "growing" after callers stopped.
    measure: single((b) => `sum(delta(${b.select('approximate_backlog_count', [MATCHING, ...APP_QUEUES])}[1m])) / 60`),
  },
  {
    id: 'primary.matching.stalled_task_queues',
    unit: 'count',
    summary: 'Application task queues (per type) with tasks waiting and nobody polling (no poll outcome).',
    blinds: `${PRIMARY_GATES} (dispatch stall: workers gone, a queue nobody polls)`,
    // Nobody polls: no poll ended, with a task or empty, in the last 75 s. The count gauge lags (it read 125 for
    // about a minute after a real queue had drained, while polls kept taking tasks), so a queue whose pollers wait
    // and time out is polled, whatever the gauge says; a dead worker's queue has neither outcome.
    // 75 s is one long poll (matching.longPollExpirationInterval, 1 min) and a margin: an idle live poller times
    // out about once a minute, and after a drain its first timeout comes up to a minute after the last task. It
    // must not be longer: service/matching/matcher.go counts every poll whose context ends as a timeout,
    // cancellations included, so the workers' own disconnect when they die is a burst of "timeouts". On the real
    // dev server a 2-minute window held a SIGKILLed queue "polled" for 120 s whenever the series already existed.
    // "Ended" compares the counter with its value 75 s ago rather than taking increase() over 75 s: increase()
    // sees an outcome for 75 s minus one scrape interval (45 s at a 30 s scrape, less than a long poll), the
    // comparison for 75 s at any interval. Only an equal value says "none": a restarted server's counters start
    // again from 0, and a series that did not exist 75 s ago appeared with its first outcome (Temporal creates it
    // then), which increase() could not see at all.
    measure: single((b) => {
      const by = 'namespace, taskqueue, task_type';
      const app = [MATCHING, ...APP_QUEUES];
      const ended = (name: string) => {
        const counter = b.select(b.counterName(name), app, name);
        const now = `sum by (${by}) (${counter})`;
        return `(${now} unless on (${by}) (${now} == sum by (${by}) (${counter} offset ${POLLED_WINDOW})))`;
      };
      const waiting = `(sum by (${by}) (${b.select('approximate_backlog_count', app)}) > 0)`;
      // No waiting queue is 0 only while matching's backlog gauges are scraped at all (system queues always have one).
      const alive = `(0 * count(${b.select('approximate_backlog_count', [MATCHING])}))`;
      return `count(${waiting} unless on (${by}) ${ended('poll_success')} unless on (${by}) ${ended('poll_timeouts')}) or ${alive}`;
    }),
  },
  {
    id: 'primary.demand.workflow_starts_per_sec',
    unit: 'per_sec',
    summary: 'Workflow starts the frontend accepted per second: what callers ask of the cluster.',
    blinds: `${PRIMARY_GATES} (progress stall: demand continuing while nothing completes)`,
    // Operation names from common/api/metadata.go; a start is itself a state transition, so transitions cannot
    // tell demand from progress during a worker outage (they stayed at the start rate on the real dev server).
    // Per operation, the series appears on the first such call: 0 while the frontend is provably scraped, so a
    // cluster whose work comes only from child workflows or schedules is not left without a demand reading.
    measure: single(
      rateOrZeroWhileAlive('service_requests', FRONTEND_ALIVE, [
        FRONTEND,
        re('operation', 'StartWorkflowExecution|SignalWithStartWorkflowExecution|ExecuteMultiOperation'),
      ]),
    ),
  },
];
