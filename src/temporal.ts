import type { WorkflowExecutionInfo } from '@temporalio/client';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { ClusterConfig, ObserverCurrent } from './models/index.ts';
import {
  LogWatcherInput,
  ObserveClusterInput,
  parseOrThrow,
  RetentionInput,
  ScheduledAssessmentInput,
} from './models/index.ts';
import { currentQuery } from './workflows/definitions.ts';
import type { LongRunningKind } from './workflows/ids.ts';
import { longRunningWorkflowId, parseLongRunningWorkflowId, RETENTION_WORKFLOW_ID } from './workflows/ids.ts';

/** Where the copilot's Temporal lives. */
export interface TemporalOptions {
  address: string;
  namespace: string;
}

export interface TemporalHandle {
  client: Client;
  close(): Promise<void>;
}

/** Connect a client (gRPC over HTTP/2, works on Node and Bun). Close it when done. */
export async function connectTemporal(options: TemporalOptions): Promise<TemporalHandle> {
  const connection = await Connection.connect({ address: options.address });
  const client = new Client({ connection, namespace: options.namespace });
  return { client, close: () => connection.close() };
}

export interface StartClusterWorkflowsInput {
  client: Client;
  taskQueue: string;
  clusters: readonly ClusterConfig[];
  observeIntervalMs: number;
  assessmentIntervalMs: number;
  /** The assessment children's explainer deadline (config-llm.ts explainDeadlineMs); absent: the workflow default. */
  explainTimeoutMs?: number | undefined;
}

export interface StartedWorkflow {
  workflowId: string;
  runId: string;
  /** True when a running workflow had an older input (cluster config, interval) and was replaced by a new run. */
  restarted: boolean;
}

/** What a cluster-less configuration means: a warning, never "stop everything". */
export const NO_CLUSTERS_WARNING = 'no clusters configured: nothing started, nothing stopped';

/** Memo key holding the canonical JSON of the input a long-running workflow was started with. */
export const INPUT_MEMO_KEY = 'copilotInput';

/** JSON with object keys sorted at every level, so equal inputs give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/** The input memo of the RUNNING workflow with this id; undefined when none runs (or it predates the memo). */
async function runningInputMemo(client: Client, workflowId: string): Promise<{ running: boolean; memo: unknown }> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return { running: description.status.name === 'RUNNING', memo: description.memo?.[INPUT_MEMO_KEY] };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { running: false, memo: undefined };
    throw error;
  }
}

async function startIdempotently(input: {
  client: Client;
  taskQueue: string;
  workflowType: string;
  workflowId: string;
  arg: unknown;
}): Promise<StartedWorkflow> {
  // The memo survives continue-as-new (the server carries it over), so it always tells the input of the first run;
  // a workflow's own input is re-sent on every continue-as-new and would never pick up an edited config.
  const memoInput = canonicalJson(input.arg);
  const existing = await runningInputMemo(input.client, input.workflowId);
  const restarted = existing.running && existing.memo !== memoInput;
  if (restarted) {
    // The observer reconciles its engine state from the store, so a new run loses nothing that matters.
    await input.client.workflow
      .getHandle(input.workflowId)
      .terminate('copilot: cluster configuration changed')
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
  }
  const handle = await input.client.workflow.start(input.workflowType, {
    taskQueue: input.taskQueue,
    workflowId: input.workflowId,
    args: [input.arg],
    memo: { [INPUT_MEMO_KEY]: memoInput },
    // Already running with the same input is fine: boot is idempotent. A closed one (stopped, failed) starts again.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, restarted };
}

/**
 * Start the observer, the scheduled assessment and (with a Loki URL) the log watcher of every cluster; already
 * running ones with the same input are left alone, those started with another input (an edited cluster config or
 * interval) are terminated and started anew (`restarted`). Inputs are validated here, at the client, before they enter any history.
 * @throws AppError INVALID_INPUT when a cluster's input does not validate.
 */
export async function startClusterWorkflows(input: StartClusterWorkflowsInput): Promise<StartedWorkflow[]> {
  const started: StartedWorkflow[] = [];
  const common = { client: input.client, taskQueue: input.taskQueue };
  const explain = input.explainTimeoutMs === undefined ? {} : { explainTimeoutMs: input.explainTimeoutMs };
  for (const cluster of input.clusters) {
    const observe = parseOrThrow(
      ObserveClusterInput,
      { cluster, intervalMs: input.observeIntervalMs, ...explain },
      `observer input of ${cluster.name}`,
    );
    started.push(
      await startIdempotently({
        ...common,
        workflowType: 'observeClusterWorkflow',
        workflowId: longRunningWorkflowId('observe', cluster.name),
        arg: observe,
      }),
    );
    const scheduled = parseOrThrow(
      ScheduledAssessmentInput,
      { cluster, intervalMs: input.assessmentIntervalMs, ...explain },
      `scheduled assessment input of ${cluster.name}`,
    );
    started.push(
      await startIdempotently({
        ...common,
        workflowType: 'scheduledAssessmentWorkflow',
        workflowId: longRunningWorkflowId('scheduled', cluster.name),
        arg: scheduled,
      }),
    );
    if (cluster.loki_url !== undefined) {
      const logs = parseOrThrow(LogWatcherInput, { cluster }, `log watcher input of ${cluster.name}`);
      started.push(
        await startIdempotently({
          ...common,
          workflowType: 'logWatcherWorkflow',
          workflowId: longRunningWorkflowId('logs', cluster.name),
          arg: logs,
        }),
      );
    }
  }
  return started;
}

/**
 * Start the deployment's retention workflow (`copilot-retention`) idempotently; a changed `retentionDays` restarts it.
 * @throws AppError INVALID_INPUT when the input does not validate.
 */
export async function startRetentionWorkflow(input: {
  client: Client;
  taskQueue: string;
  retentionDays: number;
  /** @default daily */
  intervalMs?: number;
}): Promise<StartedWorkflow> {
  const arg = parseOrThrow(
    RetentionInput,
    { retentionDays: input.retentionDays, ...(input.intervalMs === undefined ? {} : { intervalMs: input.intervalMs }) },
    'retention input',
  );
  return startIdempotently({
    client: input.client,
    taskQueue: input.taskQueue,
    workflowType: 'retentionWorkflow',
    workflowId: RETENTION_WORKFLOW_ID,
    arg,
  });
}

export interface CopilotWorkflow {
  workflowId: string;
  runId: string;
  kind: LongRunningKind;
  cluster: string;
  status: string;
  startTime: string;
}

function toCopilotWorkflow(info: WorkflowExecutionInfo): CopilotWorkflow | null {
  const parsed = parseLongRunningWorkflowId(info.workflowId);
  if (parsed === null) return null;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    kind: parsed.kind,
    cluster: parsed.cluster,
    status: info.status.name,
    startTime: info.startTime.toISOString(),
  };
}

/** The copilot's running long-lived workflows, from visibility (eventually consistent: a just-started one may lag). */
export async function listCopilotWorkflows(client: Client): Promise<CopilotWorkflow[]> {
  const found: CopilotWorkflow[] = [];
  for await (const info of client.workflow.list({ query: "ExecutionStatus = 'Running'" })) {
    const workflow = toCopilotWorkflow(info);
    if (workflow !== null) found.push(workflow);
  }
  return found.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
}

/** Cancel one long-running workflow; a workflow that is not running is not an error. */
export async function stopWorkflow(input: { client: Client; workflowId: string }): Promise<boolean> {
  try {
    await input.client.workflow.getHandle(input.workflowId).cancel();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * Stop (cancel) the long-running workflows of clusters that are no longer configured. With NO cluster configured
 * it stops nothing (see NO_CLUSTERS_WARNING): use `copilot workflows stop --cluster NAME` to stop one on purpose.
 * @returns the ids that were stopped.
 */
export async function stopRemovedClusterWorkflows(input: {
  client: Client;
  clusters: readonly ClusterConfig[];
}): Promise<string[]> {
  // An empty list is far more likely a missing COPILOT_CLUSTERS than a wish to stop monitoring everything.
  if (input.clusters.length === 0) return [];
  const configured = new Set(input.clusters.map((cluster) => cluster.name));
  const stopped: string[] = [];
  for (const workflow of await listCopilotWorkflows(input.client)) {
    if (configured.has(workflow.cluster)) continue;
    if (await stopWorkflow({ client: input.client, workflowId: workflow.workflowId }))
      stopped.push(workflow.workflowId);
  }
  return stopped;
}

/** What `reconcileWorkflows` did: started or restarted workflows, stopped ids, and the retention workflow. */
export interface ReconcileResult {
  started: StartedWorkflow[];
  stopped: string[];
  /** Null when no cluster is configured (nothing is started then). */
  retention: StartedWorkflow | null;
}

/**
 * Make the copilot's workflows match the configuration: start (or restart, when their configuration changed) every
 * cluster's workflows, stop those of clusters no longer configured, and keep the retention workflow running. The
 * worker does this on boot and `copilot workflows start` does it by hand. With no cluster configured it changes
 * nothing (see NO_CLUSTERS_WARNING).
 */
export async function reconcileWorkflows(input: {
  client: Client;
  taskQueue: string;
  clusters: readonly ClusterConfig[];
  observeIntervalMs: number;
  assessmentIntervalMs: number;
  retentionDays: number;
  explainTimeoutMs?: number | undefined;
}): Promise<ReconcileResult> {
  const { client, taskQueue, clusters } = input;
  const started = await startClusterWorkflows({
    client,
    taskQueue,
    clusters,
    observeIntervalMs: input.observeIntervalMs,
    assessmentIntervalMs: input.assessmentIntervalMs,
    explainTimeoutMs: input.explainTimeoutMs,
  });
  const stopped = await stopRemovedClusterWorkflows({ client, clusters });
  const retention =
    clusters.length === 0
      ? null
      : await startRetentionWorkflow({ client, taskQueue, retentionDays: input.retentionDays });
  return { started, stopped, retention };
}

/** Ask a running observer for its current decision and engine state. */
export async function queryObserver(input: { client: Client; cluster: string }): Promise<ObserverCurrent> {
  const handle = input.client.workflow.getHandle(longRunningWorkflowId('observe', input.cluster));
  return handle.query(currentQuery);
}
