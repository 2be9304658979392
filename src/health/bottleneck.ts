import type {
  Bottleneck,
  BottleneckClass,
  HealthState,
  SignalsSnapshot,
  ThresholdProfile,
  WorkerAdvisory,
} from '../models/index.ts';

/** Workflow-task schedule-to-start p95 above this means tasks wait for a worker (reference §1.6, §3.1). */
export const WFT_SCHEDULE_TO_START_STRESSED_MS = 50;
/** Below this sticky hit rate, running workflows are pinned unevenly; new workers will not take their tasks. */
export const STICKY_HIT_RATE_LOW = 0.5;

type Tri = boolean | null;

/** Three-valued OR: true if any is true, false if all are false, otherwise null (cannot tell). */
function anyOf(values: readonly Tri[]): Tri {
  if (values.some((value) => value === true)) return true;
  return values.every((value) => value === false) ? false : null;
}

function above(value: number | null, threshold: number): Tri {
  return value === null ? null : value > threshold;
}

/**
 * Available 0 with data is exhaustion, unless used is also 0: a worker type reporting no capacity at all is absent,
 * not exhausted. Null is unknown, never "exhausted" (the original's `or vector(0)` conflated the two).
 */
function exhausted(available: number | null, used: number | null): Tri {
  if (available === null) return null;
  return available === 0 && used !== 0;
}

const sum = (values: readonly (number | null)[]): number | null => {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : present.reduce((total, value) => total + value, 0);
};

export interface WorkerAssessment {
  bottleneck: Bottleneck;
  advisories: WorkerAdvisory[];
}

function notEvaluated(reason: string): WorkerAssessment {
  return {
    bottleneck: { classification: 'unknown', server_reasons: [], worker_reasons: [], not_evaluated_reason: reason },
    advisories: [],
  };
}

function classify(server: Tri, worker: Tri): BottleneckClass {
  if (server === null || worker === null) return 'unknown';
  if (server && worker) return 'mixed';
  if (server) return 'server_limited';
  return worker ? 'worker_limited' : 'healthy';
}

/**
 * Bottleneck classification (reference §3.1) and worker advisories (§3.2), only when the server is Happy or
 * Stressed. Server-side pressure uses the decision's own band profile: history backlog above the stressed threshold
 * or persistence p99 above the stressed p99 threshold (the original compared p95 against the p99 threshold; using
 * p99 keeps this in step with the decision's persistence finding).
 */
export function assessWorkers(input: {
  snapshot: SignalsSnapshot;
  profile: ThresholdProfile;
  state: HealthState;
}): WorkerAssessment {
  const { snapshot, profile, state } = input;
  const endpointsDown = snapshot.worker.sdk_endpoints_down;
  if (state === 'critical') {
    // Workers whose metric endpoints stopped answering are evidence even while nothing progresses: the stall is
    // theirs (a worker outage), not the server's.
    if (endpointsDown !== null && endpointsDown > 0) {
      return {
        bottleneck: { classification: 'worker_limited', server_reasons: [], worker_reasons: ['sdk_endpoints_down'] },
        advisories: [],
      };
    }
    return notEvaluated('server is critical: worker rules apply only while it makes progress');
  }
  if (state === 'unknown') return notEvaluated('server state is unknown (missing data)');

  const { primary, worker } = snapshot;
  const serverChecks: [string, Tri][] = [
    ['history_backlog', above(primary.history.backlog_age_sec, profile.stressed.history_backlog_age_stress_sec)],
    ['persistence_latency', above(primary.persistence.latency_p99_ms, profile.stressed.persistence_latency_p99_max_ms)],
  ];
  const workflowExhausted = exhausted(worker.workflow_slots_available, worker.workflow_slots_used);
  const activityExhausted = exhausted(worker.activity_slots_available, worker.activity_slots_used);
  const workerChecks: [string, Tri][] = [
    ['workflow_slots_exhausted', workflowExhausted],
    ['activity_slots_exhausted', activityExhausted],
    ['wft_schedule_to_start_p95', above(worker.wft_schedule_to_start_p95_ms, WFT_SCHEDULE_TO_START_STRESSED_MS)],
    // No scraped SDK endpoint is no evidence either way, so null counts as "none down" here.
    ['sdk_endpoints_down', endpointsDown !== null && endpointsDown > 0],
  ];
  const reasons = (checks: [string, Tri][]): string[] => checks.filter(([, hit]) => hit === true).map(([id]) => id);
  const server = anyOf(serverChecks.map(([, hit]) => hit));
  const workerStressed = anyOf(workerChecks.map(([, hit]) => hit));
  const classification = classify(server, workerStressed);
  const sdkMissing = [
    worker.workflow_slots_available,
    worker.workflow_slots_used,
    worker.activity_slots_available,
    worker.activity_slots_used,
  ].every((value) => value === null);
  const bottleneck: Bottleneck = {
    classification,
    server_reasons: reasons(serverChecks),
    worker_reasons: reasons(workerChecks),
  };
  if (classification === 'unknown') {
    bottleneck.not_evaluated_reason = sdkMissing
      ? 'no SDK worker metrics: worker capacity is unknown'
      : 'missing server or worker signals';
  }
  return { bottleneck, advisories: workerAdvisories({ snapshot, sdkMissing, workflowExhausted, activityExhausted }) };
}

function workerAdvisories(input: {
  snapshot: SignalsSnapshot;
  sdkMissing: boolean;
  workflowExhausted: Tri;
  activityExhausted: Tri;
}): WorkerAdvisory[] {
  const { snapshot, sdkMissing } = input;
  const { worker } = snapshot;
  const advisories: WorkerAdvisory[] = [];
  if (sdkMissing) {
    advisories.push({
      rule: 'NO_SDK_METRICS',
      severity: 'info',
      message:
        'No SDK worker metrics (temporal_worker_task_slots_*): worker capacity is unknown, not exhausted. ' +
        'Export SDK metrics from the workers to evaluate the slot rules.',
    });
  }
  const exhaustedTypes = [
    input.workflowExhausted === true ? 'workflow' : null,
    input.activityExhausted === true ? 'activity' : null,
  ].filter((name): name is string => name !== null);
  if (exhaustedTypes.length > 0) {
    advisories.push({
      rule: 'NEVER_SCALE_DOWN_AT_ZERO',
      severity: 'critical',
      message:
        `${exhaustedTypes.join(' and ')} task slots are exhausted (0 available): never scale workers down now; ` +
        'a worker without free slots stops polling and the backlog grows.',
    });
    const hitRate = snapshot.worker_amplifiers.cache.sticky_cache_hit_rate;
    // Worker count and long-running workflows are unknown at runtime, so the original's context rules cannot run;
    // a low sticky hit rate with exhausted slots is the one sign we can see that scaling up alone will not spread load.
    if (hitRate !== null && hitRate < STICKY_HIT_RATE_LOW) {
      advisories.push({
        rule: 'STICKY_QUEUE_WARNING',
        severity: 'warning',
        message:
          `Sticky cache hit rate is ${(hitRate * 100).toFixed(0)}% while slots are exhausted: workers added now ` +
          'will not receive sticky tasks of running workflows; restarting a share of workers redistributes them.',
      });
    }
  }
  const pollers = sum([worker.workflow_pollers, worker.activity_pollers]);
  const slots = sum([
    worker.workflow_slots_available,
    worker.workflow_slots_used,
    worker.activity_slots_available,
    worker.activity_slots_used,
  ]);
  if (pollers !== null && slots !== null && slots > 0 && pollers > slots) {
    advisories.push({
      rule: 'POLLER_EXECUTOR_MISMATCH',
      severity: 'warning',
      message: `${pollers} pollers for ${slots} task slots: pollers should not exceed executor slots.`,
    });
  }
  return advisories;
}
