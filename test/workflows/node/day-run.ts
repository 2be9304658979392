import { Worker } from '@temporalio/worker';
import type { ObserveClusterInput } from '../../../src/models/index.ts';
import { currentQuery, newLogPatternSignal } from '../../../src/workflows/definitions.ts';
import { busyHealthy, fakeActivities, nullPrimary, persistenceFailing } from './fake-activities.ts';
import { runChain } from './run-chain.ts';
import { type ActivityRecord, holdTimeWhileRunning, startTimeSkipping } from './time-skipping.ts';

/**
 * Node side of test/workflows/day-run.test.ts: a DAY of 30 s observe cycles on the Java time-skipping test server,
 * with activities faked through the typed factory. Prints `RESULT {json}` for the bun test to assert on.
 * argv: <workflowsPath> <test-server-executable>
 */
const [workflowsPath, testServer] = process.argv.slice(2);
if (!workflowsPath || !testServer) throw new Error('usage: day-run <workflowsPath> <test-server>');

const INTERVAL_MS = 30_000;
const DAY_MS = 24 * 3600_000;

const env = await startTimeSkipping(testServer);
try {
  const startMs = Math.ceil((await env.currentTimeMs()) / INTERVAL_MS) * INTERVAL_MS;
  const cycleOf = (atMs: number) => Math.round((atMs - startMs) / INTERVAL_MS);
  // Healthy, then failing persistence for 2 h (spans a continue-as-new at cycle 400), 30 min blind, healthy again.
  const { activities, store } = fakeActivities({
    primaryAt: (atMs) => {
      const cycle = cycleOf(atMs);
      if (cycle >= 240 && cycle < 480) return persistenceFailing();
      if (cycle >= 480 && cycle < 540) return nullPrimary();
      return busyHealthy();
    },
  });
  const activityRecords: ActivityRecord[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'day-run',
    workflowsPath,
    activities,
    interceptors: { activity: [holdTimeWhileRunning(env, activityRecords)] },
  });
  const input: ObserveClusterInput = {
    cluster: { name: 'day', prometheus_url: 'http://127.0.0.1:1' },
    intervalMs: INTERVAL_MS,
    cycleCap: 200,
  };
  const result = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('observeClusterWorkflow', {
      taskQueue: 'day-run',
      workflowId: 'copilot-observe-day',
      args: [input],
    });
    await env.sleep(DAY_MS);
    const afterDay = await handle.query(currentQuery);
    const assessmentsBeforeSignal = store.assessments.length;
    await handle.signal(newLogPatternSignal, {
      signatures: ['shard_ownership_lost@history'],
      at: '2026-01-01T00:00:00.000Z',
    });
    await env.sleep(2 * INTERVAL_MS);
    const afterSignal = store.assessments.slice(assessmentsBeforeSignal);

    const runs = await runChain({
      client: env.client,
      workflowId: handle.workflowId,
      firstRunId: handle.firstExecutionRunId,
    });
    await handle.terminate('test done');
    return { afterDay, afterSignal, runs };
  });
  const critical = store.cycles.filter((c) => cycleOf(c.atMs) >= 240 && cycleOf(c.atMs) < 480);
  const firstCritical = critical.findIndex((c) => c.state === 'critical');
  const output = {
    runs: result.runs.map(({ events, continuedAsNew }) => ({ events, continuedAsNew })),
    maxEventsPerRun: Math.max(...result.runs.map((r) => r.events)),
    cycles: store.cycles.length,
    distinctCycleKeys: new Set(store.cycles.map((c) => c.cycleKey)).size,
    slotGaps: store.cycles.filter((c, i) => i > 0 && c.atMs - (store.cycles[i - 1]?.atMs ?? 0) !== INTERVAL_MS).length,
    // Where a gap is, and whether activities were retried or started late in their slot: what a failure needs.
    gaps: store.cycles
      .map((c, i) => ({ cycle: cycleOf(c.atMs), stepMs: c.atMs - (store.cycles[i - 1]?.atMs ?? c.atMs) }))
      .filter((gap, i) => i > 0 && gap.stepMs !== INTERVAL_MS)
      .slice(0, 5),
    activityRetries: activityRecords.filter((r) => r.attempt > 1).length,
    // Test-server time that passed while a task waited for the worker: wall time (tens of ms), unless the server
    // skipped ahead in that window, which would show here as seconds.
    maxActivityQueuedMs: Math.max(...activityRecords.map((r) => r.queuedMs)),
    skippedWhileQueued: activityRecords.filter((r) => r.queuedMs > 1_000).slice(0, 5),
    firstSlotOffsetMs: (store.cycles[0]?.atMs ?? 0) - startMs,
    latestCycleCalls: store.latestCycleCalls,
    criticalPhase: {
      firstCriticalCycle: firstCritical,
      statesAfterFirstCritical: [...new Set(critical.slice(firstCritical).map((c) => c.state))],
      maxConsecutiveCritical: Math.max(...critical.map((c) => c.consecutiveCritical)),
    },
    blindStates: [
      ...new Set(store.cycles.filter((c) => cycleOf(c.atMs) >= 480 && cycleOf(c.atMs) < 540).map((c) => c.state)),
    ],
    assessments: store.assessments.map((a) => ({ trigger: a.trigger, state: a.health_state })),
    afterDay: {
      cyclesTotal: result.afterDay.cyclesTotal,
      engineState: result.afterDay.engineState,
      decisionState: result.afterDay.decision?.health_state ?? null,
    },
    afterSignal: result.afterSignal.map((a) => ({ trigger: a.trigger, state: a.health_state })),
  };
  process.stdout.write(`RESULT ${JSON.stringify(output)}\n`);
} finally {
  await env.teardown();
}
