import type { WorkflowExecutionInfo } from '@temporalio/client';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { ClusterConfig, ObserverCurrent } from './models/index.ts';
import { LogWatcherInput, ObserveClusterInput, parseOrThrow, ScheduledAssessmentInput } from './models/index.ts';
import { currentQuery } from './workflows/definitions.ts';
import type { LongRunningKind } from './workflows/ids.ts';
import { longRunningWorkflowId, parseLongRunningWorkflowId } from './workflows/ids.ts';

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
}

export interface StartedWorkflow {
  workflowId: string;
  runId: string;
}

async function startIdempotently(input: {
  client: Client;
  taskQueue: string;
  workflowType: string;
  workflowId: string;
  arg: unknown;
}): Promise<StartedWorkflow> {
  const handle = await input.client.workflow.start(input.workflowType, {
    taskQueue: input.taskQueue,
    workflowId: input.workflowId,
    args: [input.arg],
    // Already running is fine: boot is idempotent. A closed one (stopped, failed) is started again.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

/**
 * Start the observer, the scheduled assessment and (with a Loki URL) the log watcher of every cluster; already
 * running ones are left alone. Inputs are validated here, at the client, before they enter any history.
 * @throws AppError INVALID_INPUT when a cluster's input does not validate.
 */
export async function startClusterWorkflows(input: StartClusterWorkflowsInput): Promise<StartedWorkflow[]> {
  const started: StartedWorkflow[] = [];
  const common = { client: input.client, taskQueue: input.taskQueue };
  for (const cluster of input.clusters) {
    const observe = parseOrThrow(
      ObserveClusterInput,
      { cluster, intervalMs: input.observeIntervalMs },
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
      { cluster, intervalMs: input.assessmentIntervalMs },
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
 * Stop (cancel) the long-running workflows of clusters that are no longer configured.
 * @returns the ids that were stopped.
 */
export async function stopRemovedClusterWorkflows(input: {
  client: Client;
  clusters: readonly ClusterConfig[];
}): Promise<string[]> {
  const configured = new Set(input.clusters.map((cluster) => cluster.name));
  const stopped: string[] = [];
  for (const workflow of await listCopilotWorkflows(input.client)) {
    if (configured.has(workflow.cluster)) continue;
    if (await stopWorkflow({ client: input.client, workflowId: workflow.workflowId }))
      stopped.push(workflow.workflowId);
  }
  return stopped;
}

/** Ask a running observer for its current decision and engine state. */
export async function queryObserver(input: { client: Client; cluster: string }): Promise<ObserverCurrent> {
  const handle = input.client.workflow.getHandle(longRunningWorkflowId('observe', input.cluster));
  return handle.query(currentQuery);
}
