import { Worker } from '@temporalio/worker';
import { explainerModelsFor } from '../../../src/explainer-models.ts';
import type { ObserveClusterInput } from '../../../src/models/index.ts';
import { fakeActivities, persistenceFailing } from './fake-activities.ts';
import { startTimeSkipping } from './time-skipping.ts';

/**
 * Node side of test/workflows/model-down.test.ts: the observer on the time-skipping server, with the REAL explainer
 * activities pointed at a model server that is not there (an OpenAI-compatible base URL on a closed port). Every
 * assessment must still be stored, rules-only, with its reason. Prints `RESULT {json}`.
 * argv: <workflowsPath> <test-server-executable>
 */
const [workflowsPath, testServer] = process.argv.slice(2);
if (!workflowsPath || !testServer) throw new Error('usage: model-down <workflowsPath> <test-server>');

const INTERVAL_MS = 30_000;
const env = await startTimeSkipping(testServer);
try {
  const models = explainerModelsFor({
    llm: {
      provider: 'openai-compatible',
      dispatcherModel: 'smollm2',
      researcherModel: 'smollm2',
      baseUrl: 'http://127.0.0.1:1/v1',
      apiKey: null,
      structuredOutput: 'json_schema',
      timeoutMs: 2000,
    },
    prices: {},
  });
  const calls: string[] = [];
  const fake = fakeActivities({
    primaryAt: () => persistenceFailing(),
    explainer: {
      models,
      clock: Date.now,
      metrics: {
        cycleStored: () => {},
        queryFailed: () => {},
        assessmentWritten: () => {},
        storeError: () => {},
        explainerCall: (record) => calls.push(`${record.role}:${record.outcome}`),
      },
    },
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'model-down',
    workflowsPath,
    activities: fake.activities,
  });
  await worker.runUntil(async () => {
    const input: ObserveClusterInput = {
      cluster: { name: 'model-down', prometheus_url: 'http://127.0.0.1:1' },
      intervalMs: INTERVAL_MS,
    };
    const handle = await env.client.workflow.start('observeClusterWorkflow', {
      taskQueue: 'model-down',
      workflowId: 'copilot-observe-model-down',
      args: [input],
    });
    await env.sleep(6 * INTERVAL_MS);
    // Assessment children run on their own; wait until the ones started have stored (bounded by the sleep above).
    await handle.terminate('test done');
  });
  const output = {
    cycles: fake.store.cycles.map((c) => c.state),
    assessments: fake.store.assessments.map((a) => ({
      state: a.health_state,
      decided: a.decision.health_state,
      explainer: a.explainer,
      fallback_reason: a.fallback_reason ?? null,
      detail: a.fallback_detail ?? null,
    })),
    calls,
  };
  process.stdout.write(`RESULT ${JSON.stringify(output)}\n`);
} finally {
  await env.teardown();
}
