import type { Client } from '@temporalio/client';

export interface RunSummary {
  runId: string;
  events: number;
  continuedAsNew: boolean;
}

async function summarize(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<{ events: number; next: string | null }> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const last = events[events.length - 1];
  return {
    events: events.length,
    next: last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? null,
  };
}

/** Walk a workflow's chain of runs (continue-as-new links) from the first run, counting each run's events. */
export async function runChain(input: {
  client: Client;
  workflowId: string;
  firstRunId: string;
}): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  let runId: string | null = input.firstRunId;
  while (runId !== null) {
    const { events, next } = await summarize(input.client, input.workflowId, runId);
    runs.push({ runId, events, continuedAsNew: next !== null });
    runId = next;
  }
  return runs;
}
