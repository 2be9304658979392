import type { Bottleneck, HealthState, RuleFinding, ServiceName, ServiceStatus } from '../models/index.ts';
import type { RuleEvaluation, RuleEvaluations } from './gates.ts';
import type { RuleId } from './rules.ts';

/** Which service each rule speaks for. Every rule belongs to exactly one service. */
export const SERVICE_OF_RULE: Readonly<Record<RuleId, Exclude<ServiceName, 'workers'>>> = {
  'critical.throughput_collapse': 'history',
  'critical.completion_collapse': 'history',
  'critical.processing_collapse': 'history',
  'critical.history_backlog': 'history',
  'critical.persistence_errors': 'persistence',
  'critical.progress_stall': 'history',
  'critical.dispatch_stall': 'matching',
  'stressed.state_transition_latency': 'history',
  'stressed.history_backlog': 'history',
  'stressed.frontend_latency': 'frontend',
  'stressed.persistence_latency': 'persistence',
  'stressed.shard_churn': 'history',
  'stressed.poller_timeouts': 'matching',
  'stressed.stalled_task_queue': 'matching',
  'happy.throughput': 'history',
  'happy.history_backlog': 'history',
  'happy.completion': 'history',
  'recovery.near_critical': 'history',
};

const SERVICE_BY_RULE_ID: ReadonlyMap<string, ServiceName> = new Map(Object.entries(SERVICE_OF_RULE));

const SERVER_SERVICES = ['frontend', 'history', 'matching', 'persistence'] as const;

/** Severity for capping: unknown ranks with happy because it claims nothing bad. */
const RANK: Record<HealthState, number> = { happy: 0, unknown: 0, stressed: 1, critical: 2 };

function capped(status: HealthState, cluster: HealthState): HealthState {
  return RANK[status] > RANK[cluster] ? cluster : status;
}

function serverStatus(input: {
  name: Exclude<ServiceName, 'workers'>;
  findings: RuleFinding[];
  evaluations: RuleEvaluation[];
}): { status: HealthState; reasons: string[] } {
  const { name, findings, evaluations } = input;
  const own = findings.filter((finding) => !finding.suppressed && SERVICE_BY_RULE_ID.get(finding.rule_id) === name);
  const reasons = [...new Set(own.map((finding) => finding.rule_id))];
  if (own.some((finding) => finding.level === 'critical')) return { status: 'critical', reasons };
  if (own.length > 0) return { status: 'stressed', reasons };
  const inputs = evaluations.filter((evaluation) => SERVICE_OF_RULE[evaluation.rule.id] === name);
  const blind = inputs.every((evaluation) => evaluation.value === null);
  return { status: blind ? 'unknown' : 'happy', reasons: [] };
}

function workerStatus(bottleneck: Bottleneck): { status: HealthState; reasons: string[] } {
  switch (bottleneck.classification) {
    case 'worker_limited':
    case 'mixed':
      return { status: 'stressed', reasons: [`bottleneck.${bottleneck.classification}`] };
    case 'server_limited':
    case 'healthy':
      return { status: 'happy', reasons: [] };
    case 'unknown':
      return { status: 'unknown', reasons: [] };
    default: {
      const unreachable: never = bottleneck.classification;
      return unreachable;
    }
  }
}

/**
 * Per-service status from the decision's own findings, band and bottleneck only, capped at the cluster's severity,
 * so the API can never show a service worse than the cluster. Idle clusters are Happy everywhere (workers excepted:
 * without SDK metrics they stay unknown).
 */
export function serviceStatuses(input: {
  clusterState: HealthState;
  idle: boolean;
  findings: RuleFinding[];
  evaluations: RuleEvaluations;
  bottleneck: Bottleneck;
}): ServiceStatus[] {
  const { clusterState, idle, findings, bottleneck } = input;
  const all = [
    ...input.evaluations.critical,
    ...input.evaluations.stressed,
    ...input.evaluations.healthy,
    ...input.evaluations.recovery,
  ];
  const servers: ServiceStatus[] = SERVER_SERVICES.map((name) => {
    const { status, reasons } = idle
      ? { status: 'happy' as const, reasons: [] }
      : serverStatus({ name, findings, evaluations: all });
    return { name, status: capped(status, clusterState), reasons };
  });
  const workers = workerStatus(bottleneck);
  return [...servers, { name: 'workers', status: capped(workers.status, clusterState), reasons: workers.reasons }];
}
