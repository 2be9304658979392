import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { ObserveClusterInput, RetentionInput } from '../../../src/models/index.ts';
import { currentQuery } from '../../../src/workflows/definitions.ts';
import { busyHealthy, fakeActivities } from './fake-activities.ts';
import { runChain } from './run-chain.ts';
import { startTimeSkipping } from './time-skipping.ts';

/**
 * Node side of test/workflows/failures.test.ts, on the Java time-skipping test server:
 * - `fetch`: the fetchSignals activity fails (after its retries) from cycle 3 on → what the observer stores;
 * - `reconcile`: latestCycle fails non-retryably (STORE_SCHEMA) at start → does the observer still cycle?
 * - `retention`: the retention workflow purges daily with a cutoff of retentionDays, continuing as new.
 * Prints `RESULT {json}`. argv: <workflowsPath> <test-server-executable>
 */
const [workflowsPath, testServer] = process.argv.slice(2);
if (!workflowsPath || !testServer) throw new Error('usage: failures <workflowsPath> <test-server>');

const INTERVAL_MS = 30_000;
const DAY_MS = 86_400_000;

const env = await startTimeSkipping(testServer);
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

  // Retention: daily purges with the right cutoff, continuing as new every 2 purges.
  const retentionFake = fakeActivities({ primaryAt: () => busyHealthy() });
  const retentionWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'retention',
    workflowsPath,
    activities: retentionFake.activities,
  });
  const retention = await retentionWorker.runUntil(async () => {
    const startedMs = await env.currentTimeMs();
    const input: RetentionInput = { retentionDays: 7, cycleCap: 2 };
    const handle = await env.client.workflow.start('retentionWorkflow', {
      taskQueue: 'retention',
      workflowId: 'copilot-retention',
      args: [input],
    });
    await env.sleep(3 * DAY_MS + INTERVAL_MS);
    const runs = await runChain({
      client: env.client,
      workflowId: handle.workflowId,
      firstRunId: handle.firstExecutionRunId,
    });
    await handle.terminate('test done');
    const cutoffs = retentionFake.store.purgeCutoffsMs;
    return {
      purges: cutoffs.length,
      // The first cutoff is 7 days before the start (to the minute); each later one a day after the previous.
      firstCutoffDaysBeforeStart: Math.round((startedMs - (cutoffs[0] ?? 0)) / 60_000) / (24 * 60),
      gapsDays: cutoffs.slice(1).map((c, i) => Math.round((c - (cutoffs[i] ?? 0)) / 60_000) / (24 * 60)),
      runs: runs.length,
    };
  });

  const output = {
    retention,
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
