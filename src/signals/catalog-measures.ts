import type { Derived, Measure, SignalDefinition } from './catalog-types.ts';
import type { LabelMatcher } from './promql.ts';
import type { QueryBuilder } from './query-builder.ts';
import { eq, ne, nre, re } from './query-builder.ts';

/** Building blocks shared by the catalog's tables. */
export type Q = (b: QueryBuilder) => string;

export const single = (query: Q): Measure => ({ kind: 'promql', inputs: (b) => ({ value: query(b) }) });
export const notMeasurable = (reason: string): Measure => ({ kind: 'not_measurable', reason });

/** part / (part + other) with a volume floor: below it the ratio is noise, so it is null ('low_volume'). */
export function guardedShare(part: Q, other: Q, floorPerSec: number): Measure {
  return {
    kind: 'promql',
    inputs: (b) => ({ part: part(b), other: other(b) }),
    derive: (v): Derived => {
      const total = (v['part'] ?? 0) + (v['other'] ?? 0);
      if (total < floorPerSec) return { missing: 'low_volume', detail: `${total.toFixed(4)}/s < ${floorPerSec}/s` };
      return { value: (v['part'] ?? 0) / total };
    },
    clamp: 'ratio',
    volumeGuard: `null below ${floorPerSec} events/s in total`,
  };
}

export const HISTORY = eq('service_name', 'history');
export const FRONTEND = eq('service_name', 'frontend');
export const MATCHING = eq('service_name', 'matching');
// task_type carries TaskQueueType.String(): "Workflow"/"Activity" in current API modules, the enum name in old ones.
export const WORKFLOW_QUEUE = re('task_type', 'Workflow|TASK_QUEUE_TYPE_WORKFLOW');
export const ACTIVITY_QUEUE = re('task_type', 'Activity|TASK_QUEUE_TYPE_ACTIVITY');
/**
 * Frontend long polls, excluded from latency: every method `common/api/metadata.go` marks `PollingAlways` is named
 * `Poll*` (Poll{Workflow,Activity,Nexus}TaskQueue, PollWorkflowExecutionUpdate, PollActivityExecution,
 * PollNexusOperationExecution, PollWorkflowExecutionTimeSkipping), and `common/rpc/interceptor/telemetry.go`
 * (telemetryUnaryOverrideOperationTag) reports GetWorkflowExecutionHistory with WaitNewEvent — a client awaiting a
 * result — as PollWorkflowExecutionHistory. Each blocks up to ~20 s by design; counting them made a healthy cluster
 * whose clients await results read p99 ≈ 49 s on the real dev server.
 */
export const LONG_POLLS = nre('operation', 'Poll.*');
/**
 * Application task queues: Temporal's own (`common/primitives/task_queues.go`: `default-worker-tq` and the
 * `temporal-sys-` prefix, in the `temporal-system` namespace) are excluded. Tally's Prometheus reporter sanitizes
 * tag values, so the real dev server reports `temporal_sys_tq_scanner_taskqueue_0`, `default_worker_tq`,
 * `temporal_system`; both spellings are matched. On a quiet cluster every poll timeout comes from these queues.
 */
export const APP_QUEUES = [
  nre('taskqueue', 'temporal[-_]sys[-_].*|default[-_]worker[-_]tq'),
  nre('namespace', 'temporal[-_]system'),
] as const;
export const POLL_FLOOR_PER_SEC = 0.01;
// The server's own worker role runs Go SDK workers for system workflows (batch, schedules, scanners) and exports
// their temporal_* SDK metrics with service_name="worker"; they say nothing about the user's workers.
export const USER_WORKERS = ne('service_name', 'worker');

/**
 * Counters a serving service exports from startup, whatever its load (seen on an idle dev server before any
 * workflow ran): their presence proves the service's exporter is scraped, so a first-occurrence counter of the same
 * service that is absent has never been incremented (see `QueryBuilder.firstOccurrenceRate`). History owns shards
 * and reads and writes them continuously, so its persistence_requests exist as soon as it serves.
 */
export const HISTORY_ALIVE = { name: 'persistence_requests', matchers: [HISTORY] } as const;
export const FRONTEND_ALIVE = { name: 'service_requests', matchers: [FRONTEND] } as const;
/** Matching serves the system queues' polls from startup, so its service_requests exist whenever it serves. */
export const MATCHING_ALIVE = { name: 'service_requests', matchers: [MATCHING] } as const;

/** A first-occurrence counter's rate: 0 while `alive` shows its exporter is scraped, null when it is not. */
export const rateOrZeroWhileAlive =
  (
    name: string,
    alive: { name: string; matchers: readonly LabelMatcher[] },
    matchers: readonly LabelMatcher[] = [],
  ): Q =>
  (b) =>
    b.firstOccurrenceRate({ name, matchers, alive });

// Workflow outcome counters (operation="CompletionStats") are created by history on the first workflow that closes
// that way; a cluster that never failed a workflow has no workflow_failed series at all.
export const successRate: Q = rateOrZeroWhileAlive('workflow_success', HISTORY_ALIVE);
// Terminations are operator actions, not failures; timeouts are failures to finish.
export const FAILED_COUNTERS = ['workflow_failed', 'workflow_timeout'] as const;
export const failedRate = (name: (typeof FAILED_COUNTERS)[number]): Q => rateOrZeroWhileAlive(name, HISTORY_ALIVE);
// Per task queue, poll_success and poll_timeouts appear on a queue's first poll outcome: no application poller yet
// is 0 outcomes (then the ratio is low_volume), not an unscraped matching.
export const pollSuccess: Q = rateOrZeroWhileAlive('poll_success', MATCHING_ALIVE, [MATCHING, ...APP_QUEUES]);
export const pollTimeouts: Q = rateOrZeroWhileAlive('poll_timeouts', MATCHING_ALIVE, [MATCHING, ...APP_QUEUES]);
export const stickyHits: Q = (b) => b.sdkCounterRate('temporal_sticky_cache_hit', [USER_WORKERS], '5m');
export const stickyMisses: Q = (b) => b.sdkCounterRate('temporal_sticky_cache_miss', [USER_WORKERS], '5m');

export const PRIMARY_GATES = 'primary signal: engine gates';
export const AMPLIFIER = 'explanations only (amplifiers never decide the state)';
export const WORKER = 'bottleneck classification and worker advisories';

export function amplifier(
  id: SignalDefinition['id'],
  unit: SignalDefinition['unit'],
  summary: string,
  measure: Measure,
): SignalDefinition {
  return { id, unit, summary, blinds: AMPLIFIER, measure };
}

export function workerSignal(
  id: SignalDefinition['id'],
  unit: SignalDefinition['unit'],
  summary: string,
  measure: Measure,
): SignalDefinition {
  return { id, unit, summary, blinds: WORKER, measure };
}

/**
 * Sum of counters some servers never create (a counter appears on its first increment), as separate queries: one
 * `{__name__=~"a|b"}` selector would collide once rate() drops the names. Null only when none of them exists.
 */
export function sumOfCounterRates(
  names: readonly string[],
  matchers: readonly LabelMatcher[] = [],
  window = '1m',
): Measure {
  return {
    kind: 'promql',
    inputs: (b) => Object.fromEntries(names.map((name) => [name, b.counterRate(name, matchers, window)])),
    optionalInputs: true,
    derive: (v): Derived => {
      const present = Object.values(v);
      if (present.length === 0) return { missing: 'no_series', detail: `none of ${names.join(', ')} exists` };
      return { value: present.reduce((sum, value) => sum + value, 0) };
    },
  };
}
