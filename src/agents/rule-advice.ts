import type { RuleId } from '../health/index.ts';
import type { ActionType, RiskLevel } from '../models/index.ts';

/**
 * What an SRE needs when a rule fires: a title that says what is wrong in words, the usual causes, and the first
 * things to do, most useful first. Written from Temporal's own guidance (service-metrics, the self-hosted checklist,
 * worker-performance) and Aurora DSQL's limits; the copilot only suggests, it never acts. Typed by `RuleId`, so a
 * new rule without advice fails to compile.
 */
export interface RuleAdvice {
  title: string;
  likelyCause: string;
  actions: readonly AdvisedAction[];
}

export interface AdvisedAction {
  action_type: ActionType;
  target_service: string;
  description: string;
  risk_level: RiskLevel;
  /** How often this is the right first move when the rule fires, 0–1; a ranking hint, not a probability. */
  confidence: number;
}

const CHECK_PERSISTENCE: AdvisedAction = {
  action_type: 'investigate',
  target_service: 'persistence',
  description:
    'Check the persistence store first: error types (persistence_error_with_type by error_type), DSQL OCC conflicts and transaction retries, connection pool waits, and the database’s own latency and throttling metrics.',
  risk_level: 'low',
  confidence: 0.7,
};

const CHECK_WORKERS: AdvisedAction = {
  action_type: 'investigate',
  target_service: 'workers',
  description:
    'Check that workers are running and polling the right task queues: worker deployments, schedule-to-start latency, task slots available, and no_poller_tasks on the server.',
  risk_level: 'low',
  confidence: 0.6,
};

const CHECK_HISTORY_HOSTS: AdvisedAction = {
  action_type: 'investigate',
  target_service: 'history',
  description:
    'Check the history hosts: restarts, CPU against the 80% guidance, shard ownership changes and "Critical error processing task" log lines.',
  risk_level: 'low',
  confidence: 0.5,
};

const SCALE_HISTORY: AdvisedAction = {
  action_type: 'scale',
  target_service: 'history',
  description:
    'If persistence is healthy and history hosts are CPU-bound, add history capacity; do not scale while persistence is failing, it adds load to the store.',
  risk_level: 'medium',
  confidence: 0.4,
};

export const RULE_ADVICE: Readonly<Record<RuleId, RuleAdvice>> = {
  'critical.throughput_collapse': {
    title: 'Workflow progress has collapsed: almost no state transitions',
    likelyCause:
      'History cannot persist workflow updates (a failing or throttled store, lost shard ownership) or no worker completes tasks, so no workflow moves.',
    actions: [CHECK_PERSISTENCE, CHECK_WORKERS, CHECK_HISTORY_HOSTS],
  },
  'critical.completion_collapse': {
    title: 'Most workflows that finish are failing',
    likelyCause:
      'Workflows end in failure or timeout: a bad worker deploy, a failing downstream the activities call, or timeouts caused by a slow cluster.',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'workers',
        description:
          'Look at the failure reasons of recent failed workflows and whether a worker deploy just happened; roll back a bad deploy.',
        risk_level: 'low',
        confidence: 0.6,
      },
      CHECK_PERSISTENCE,
    ],
  },
  'critical.processing_collapse': {
    title: 'History has stopped processing its task queues',
    likelyCause:
      'History task processing is blocked, usually by persistence errors or a history host that lost its shards.',
    actions: [CHECK_PERSISTENCE, CHECK_HISTORY_HOSTS],
  },
  'critical.history_backlog': {
    title: 'History tasks wait far too long before they run',
    likelyCause:
      'History cannot keep up with its transfer and timer tasks: the persistence path is slow, or history is short of capacity for the load.',
    actions: [CHECK_PERSISTENCE, SCALE_HISTORY],
  },
  'critical.persistence_errors': {
    title: 'The persistence store is failing requests',
    likelyCause:
      'Database errors: on Aurora DSQL typically OCC conflicts beyond the retry budget, connection or rate limits, or expired auth tokens.',
    actions: [
      CHECK_PERSISTENCE,
      {
        action_type: 'configure',
        target_service: 'persistence',
        description:
          'If the errors are connection or rate limits, lower the connection churn (pool max lifetime, token caching) before adding capacity.',
        risk_level: 'medium',
        confidence: 0.4,
      },
    ],
  },
  'critical.progress_stall': {
    title: 'Workflows have stopped completing while callers keep starting them',
    likelyCause:
      'Completions fell below a tenth of this cluster’s own recent rate while starts continued: workers are down, wedged or polling the wrong queue, or history cannot dispatch their tasks.',
    actions: [
      CHECK_WORKERS,
      {
        action_type: 'investigate',
        target_service: 'matching',
        description:
          'Look at the application task queues: `temporal task-queue describe` shows the pollers and the backlog; a queue with a growing backlog and no pollers has lost its workers.',
        risk_level: 'low',
        confidence: 0.6,
      },
      CHECK_PERSISTENCE,
    ],
  },
  'critical.dispatch_stall': {
    title: 'Tasks are piling up and nothing completes: no worker takes them',
    likelyCause:
      'A task queue holds waiting tasks and no poll ended on it in the last 75 s, and not one workflow completes: the workers for it are gone (crashed, scaled to zero, a deploy that never started) or cannot reach the cluster.',
    actions: [
      CHECK_WORKERS,
      {
        action_type: 'scale',
        target_service: 'workers',
        description:
          'Start or restore the workers for the stalled queue; once they poll, the backlog drains on its own (watch approximate_backlog_count fall).',
        risk_level: 'low',
        confidence: 0.6,
      },
    ],
  },
  'stressed.stalled_task_queue': {
    title: 'A task queue has waiting tasks that no worker takes',
    likelyCause:
      'At least one application task queue has a backlog and no poll ended on it in the last 75 s while the rest of the cluster progresses: its workers are down, or callers use a queue name no worker polls.',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'workers',
        description:
          'Find the queue with `temporal task-queue describe` (pollers and backlog) and check the task-queue name the workers poll against the one the callers use.',
        risk_level: 'low',
        confidence: 0.6,
      },
    ],
  },
  'recovery.near_critical': {
    title: 'Recovering from Critical, but not clear of it yet',
    likelyCause: 'The critical condition has eased, but the signal is still close to its critical threshold.',
    actions: [
      {
        action_type: 'alert',
        target_service: 'history',
        description: 'Keep watching: the state returns to Happy only once the signal is clear of the recovery band.',
        risk_level: 'low',
        confidence: 0.5,
      },
    ],
  },
  'stressed.state_transition_latency': {
    title: 'Workflow state updates are slow',
    likelyCause: 'Updating workflow state in the store takes long: persistence contention or a slow store.',
    actions: [CHECK_PERSISTENCE],
  },
  'stressed.history_backlog': {
    title: 'History tasks are queueing up',
    likelyCause: 'History is running behind its task queues; often the first sign of a slow persistence path.',
    actions: [CHECK_PERSISTENCE, SCALE_HISTORY],
  },
  'stressed.frontend_latency': {
    title: 'API requests to the cluster are slow (long polls excluded)',
    likelyCause:
      'Frontend requests wait on history or persistence, or are throttled by namespace rate limits; visibility queries can also be slow.',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'frontend',
        description:
          'Find the slow operations (service_latency by operation) and check for ResourceExhausted errors from rate limits.',
        risk_level: 'low',
        confidence: 0.6,
      },
      CHECK_PERSISTENCE,
    ],
  },
  'stressed.persistence_latency': {
    title: 'The persistence store is slow',
    likelyCause:
      'Database latency is above what this scale band tolerates: contention, OCC retries, connection pool waits, or the store’s own limits.',
    actions: [CHECK_PERSISTENCE],
  },
  'stressed.shard_churn': {
    title: 'History shards are moving between hosts',
    likelyCause: 'History hosts are joining, leaving or restarting (a deploy, crash loop or failing health checks).',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'history',
        description:
          'Check for history restarts or a rolling deploy; stabilise the deployment before anything else, shard movement stalls workflows.',
        risk_level: 'low',
        confidence: 0.7,
      },
    ],
  },
  'stressed.poller_timeouts': {
    title: 'Workers poll and get nothing while there is load',
    likelyCause:
      'Pollers wait on task queues that get no tasks: more workers than the load needs, or workers polling the wrong task queue.',
    actions: [
      {
        action_type: 'configure',
        target_service: 'workers',
        description:
          'Compare the task queues workers poll with those workflows use; if they match, the fleet is oversized for the load. Never scale workers down while their task slots are exhausted.',
        risk_level: 'low',
        confidence: 0.5,
      },
    ],
  },
  'happy.throughput': {
    title: 'Throughput is below what this scale band calls healthy',
    likelyCause: 'Less work is flowing than the band expects; fine if demand dropped, a warning if demand did not.',
    actions: [CHECK_WORKERS],
  },
  'happy.history_backlog': {
    title: 'History tasks wait longer than healthy',
    likelyCause: 'History is slightly behind its task queues.',
    actions: [CHECK_PERSISTENCE],
  },
  'happy.completion': {
    title: 'More workflows fail than healthy',
    likelyCause: 'A share of finishing workflows fail or time out.',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'workers',
        description: 'Look at the failure reasons of recent failed workflows.',
        risk_level: 'low',
        confidence: 0.5,
      },
    ],
  },
};
