import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { ObserveClusterInput } from '../../../src/models/index.ts';
import { currentQuery } from '../../../src/workflows/definitions.ts';
import { busyHealthy, fakeActivities } from './fake-activities.ts';

/**
 * Node side of test/workflows/failures.test.ts, on the Java time-skipping test server:
 * - `fetch`: the fetchSignals activity fails (after its retries) from cycle 3 on → what the observer stores;
 * - `reconcile`: latestCycle fails non-retryably (STORE_SCHEMA) at start → does the observer still cycle?
 * Prints `RESULT {json}`. argv: <workflowsPath> <test-server-executable>
 */
const [workflowsPath, testServer] = process.argv.slice(2);
if (!workflowsPath || !testServer) throw new Error('usage: failures <workflowsPath> <test-server>');

const INTERVAL_MS = 30_000;

const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: 'existing-path', path: testServer } },
});
try {
  const startMs = Math.ceil((await env.currentTimeMs()) / INTERVAL_MS) * INTERVAL_MS;
  const cycleOf = (atMs: number) => Math.round((atMs - startMs) / INTERVAL_MS);

  const failingFetch = fakeActivities({
    primaryAt: (atMs) => {
      if (cycleOf(atMs) >= 3) throw new Error('prometheus took longer than the activity timeout');
      return busyHealthy();
    },
  });
  const fetchWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'failing-fetch',
    workflowsPath,
    activities: failingFetch.activities,
  });
  const fetch = await fetchWorker.runUntil(async () => {
    const input: ObserveClusterInput = {
      cluster: { name: 'slow', prometheus_url: 'http://127.0.0.1:1' },
      intervalMs: INTERVAL_MS,
    };
    const handle = await env.client.workflow.start('observeClusterWorkflow', {
      taskQueue: 'failing-fetch',
      workflowId: 'copilot-observe-slow',
      args: [input],
    });
    await env.sleep(6 * INTERVAL_MS);
    const current = await handle.query(currentQuery);
    await handle.terminate('test done');
    return { currentState: current.decision?.health_state ?? null };
  });

  const failingStore = fakeActivities({
    primaryAt: () => busyHealthy(),
    latestCycleFailure: ApplicationFailure.nonRetryable('stored decision no longer validates', 'STORE_SCHEMA'),
  });
  const storeWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'failing-reconcile',
    workflowsPath,
    activities: failingStore.activities,
  });
  const reconcile = await storeWorker.runUntil(async () => {
    const input: ObserveClusterInput = {
      cluster: { name: 'old-rows', prometheus_url: 'http://127.0.0.1:1' },
      intervalMs: INTERVAL_MS,
    };
    const handle = await env.client.workflow.start('observeClusterWorkflow', {
      taskQueue: 'failing-reconcile',
      workflowId: 'copilot-observe-old-rows',
      args: [input],
    });
    await env.sleep(3 * INTERVAL_MS);
    const status = (await handle.describe()).status.name;
    const current = await handle.query(currentQuery);
    await handle.terminate('test done');
    return { status, cyclesTotal: current.cyclesTotal, latestCycleCalls: failingStore.store.latestCycleCalls };
  });

  const output = {
    fetch: {
      ...fetch,
      healthyStates: failingFetch.store.cycles.filter((c) => cycleOf(c.atMs) < 3).map((c) => c.state),
      failingStates: failingFetch.store.cycles.filter((c) => cycleOf(c.atMs) >= 3).map((c) => c.state),
      blindMissing: [
        ...new Set(failingFetch.store.cycles.filter((c) => cycleOf(c.atMs) >= 3).flatMap((c) => c.missing)),
      ].sort(),
    },
    reconcile: { ...reconcile, states: [...new Set(failingStore.store.cycles.map((c) => c.state))] },
  };
  process.stdout.write(`RESULT ${JSON.stringify(output)}\n`);
} finally {
  await env.teardown();
}
