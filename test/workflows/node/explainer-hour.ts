import { Worker } from '@temporalio/worker';
import { createActivities } from '../../../src/activities/index.ts';
import { createLocalKnowledgeIndex } from '../../../src/agents/knowledge-index.ts';
import { listAssessments } from '../../../src/db/index.ts';
import { explainerModelsFor } from '../../../src/explainer-models.ts';
import type {
  Assessment,
  ExplainerCallRecord,
  ObserveClusterInput,
  ScheduledAssessmentInput,
  WorkerMetricsSink,
} from '../../../src/models/index.ts';
import { openPostgres } from '../../db/backends.ts';
import { snapshotOf } from '../../health/fixtures.ts';
import { busyHealthy, persistenceFailing } from './fake-activities.ts';
import { type ActivityRecord, holdTimeWhileRunning, startTimeSkipping } from './time-skipping.ts';

/**
 * Node side of test/workflows/explainer-hour.test.ts: a steady hour, a 10-minute incident and 10 minutes of
 * recovery through the REAL workflows (observer and scheduled assessments) and the REAL activities — store
 * (Postgres), knowledge index (docs/rag), explainer pipeline and the real local model (SmolLM2 on llama-cpp-python,
 * started by the bun side) — on the time-skipping server. Only the signals are synthetic (the fetch activity is
 * replaced), so the hour takes minutes. Prints `RESULT {json}`.
 * argv: <workflowsPath> <test-server-executable> <model base URL> <model id>
 */
const [workflowsPath, testServer, baseUrl, modelId] = process.argv.slice(2);
if (!workflowsPath || !testServer || !baseUrl || !modelId) {
  throw new Error('usage: explainer-hour <workflowsPath> <test-server> <model base URL> <model id>');
}

const INTERVAL_MS = 30_000;
const STEADY_CYCLES = 120;
const INCIDENT_CYCLES = 20;
const RECOVERY_CYCLES = 20;
const CLUSTER = 'hour';

const env = await startTimeSkipping(testServer);
const db = await openPostgres();
try {
  const startMs = Math.ceil((await env.currentTimeMs()) / INTERVAL_MS) * INTERVAL_MS + INTERVAL_MS;
  const cycleOf = (atMs: number) => Math.floor((atMs - startMs) / INTERVAL_MS);
  const calls: ExplainerCallRecord[] = [];
  const metrics: WorkerMetricsSink = {
    cycleStored: () => {},
    queryFailed: () => {},
    assessmentWritten: () => {},
    storeError: () => {},
    explainerCall: (record) => calls.push(record),
  };
  const real = createActivities({
    sql: db.sql,
    prometheusFor: () => {
      throw new Error('signals are synthetic in this run');
    },
    lokiFor: () => null,
    clock: Date.now,
    models: explainerModelsFor({
      llm: {
        provider: 'openai-compatible',
        dispatcherModel: modelId,
        researcherModel: modelId,
        baseUrl,
        apiKey: null,
        structuredOutput: 'tool',
        timeoutMs: 120_000,
      },
      prices: {},
    }),
    knowledge: createLocalKnowledgeIndex(),
    metrics,
  });
  const activities = {
    ...real,
    async fetchSignals({ cluster, atMs }: { cluster: { name: string }; atMs: number }) {
      const cycle = cycleOf(atMs);
      const incident = cycle >= STEADY_CYCLES && cycle < STEADY_CYCLES + INCIDENT_CYCLES;
      const primary = incident ? persistenceFailing() : busyHealthy();
      return snapshotOf(primary, { cluster: cluster.name, at: new Date(atMs).toISOString() });
    },
  };
  const records: ActivityRecord[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'explainer-hour',
    workflowsPath,
    activities,
    interceptors: { activity: [holdTimeWhileRunning(env, records)] },
  });
  const cluster = { name: CLUSTER, prometheus_url: 'http://127.0.0.1:1' };
  // Two research calls at up to two minutes each, as the worker derives it (config-llm.ts explainDeadlineMs).
  const explainTimeoutMs = 250_000;
  await worker.runUntil(async () => {
    await env.sleep(startMs - (await env.currentTimeMs()));
    const observe: ObserveClusterInput = { cluster, intervalMs: INTERVAL_MS, explainTimeoutMs };
    const scheduled: ScheduledAssessmentInput = { cluster, explainTimeoutMs };
    const handles = [
      await env.client.workflow.start('observeClusterWorkflow', {
        taskQueue: 'explainer-hour',
        workflowId: 'copilot-observe-hour',
        args: [observe],
      }),
      await env.client.workflow.start('scheduledAssessmentWorkflow', {
        taskQueue: 'explainer-hour',
        workflowId: 'copilot-scheduled-hour',
        args: [scheduled],
      }),
    ];
    await env.sleep((STEADY_CYCLES + INCIDENT_CYCLES + RECOVERY_CYCLES) * INTERVAL_MS);
    for (const handle of handles) await handle.terminate('run done');
  });
  const assessments: Assessment[] = [];
  for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
    const page = await listAssessments(db.sql, {
      cluster: CLUSTER,
      startMs,
      endMs: startMs + 24 * 3600_000,
      limit: 100,
      ...(cursor === null ? {} : { cursor }),
    });
    assessments.push(...page.items.map((item) => item.assessment));
    cursor = page.next_cursor ?? null;
  }
  assessments.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const output = {
    phases: { steadyCycles: STEADY_CYCLES, incidentCycles: INCIDENT_CYCLES, recoveryCycles: RECOVERY_CYCLES },
    assessments: assessments.map((a) => ({
      cycle: cycleOf(Date.parse(a.at)),
      trigger: a.trigger,
      state: a.health_state,
      decided: a.decision.health_state,
      explainer: a.explainer,
      fallback_reason: a.fallback_reason ?? null,
      fallback_detail: (a.fallback_detail ?? '').slice(0, 200),
      calls: a.model_usage?.calls ?? 0,
      rejected: a.model_usage?.rejected ?? [],
      dispatch: a.model_usage?.dispatch_depth ?? null,
      cached_from: a.cached_from ?? null,
      summary: a.summary.slice(0, 300),
    })),
    calls: calls.map((c) => ({
      role: c.role,
      outcome: c.outcome,
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      latencyMs: c.latencyMs,
    })),
    maxActivityQueuedMs: Math.max(0, ...records.map((r) => r.queuedMs)),
    slowestQueued: [...records].sort((a, b) => b.queuedMs - a.queuedMs).slice(0, 3),
    cycles: Number((await db.sql`SELECT count(*)::int AS n FROM decisions`)[0]?.['n'] ?? 0),
  };
  process.stdout.write(`RESULT ${JSON.stringify(output)}\n`);
} finally {
  await db.close();
  await env.teardown();
}
