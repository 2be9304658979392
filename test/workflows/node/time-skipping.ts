import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

const ATTEMPTS = 3;

/**
 * The time-skipping environment on the Java test server. The SDK gives a spawned server 5 s to open its port; the
 * JVM needs about 1 s here, but on a loaded 2-core machine it has missed that window, so a start that timed out is
 * tried again (bounded) instead of failing the test.
 */
export async function startTimeSkipping(testServer: string): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: testServer } },
      });
    } catch (error) {
      const slowStart = error instanceof Error && error.message.includes('did not start within');
      if (!slowStart || attempt >= ATTEMPTS) throw error;
      console.error(`time-skipping server start attempt ${attempt} timed out; trying again`);
    }
  }
}

export interface ActivityRecord {
  type: string;
  attempt: number;
  /** Test-server time that passed between scheduling and the lock, while the task waited for the worker. */
  queuedMs: number;
}

/**
 * The Java test server skips time whenever nothing holds its time lock, and a running activity holds none: it locks
 * only while it applies a workflow update (TestWorkflowMutableStateImpl.update; the Python SDK's
 * "time skipping past activity timeout" repro shows the same). Workflow tasks do hold it, from scheduled to completed. On a loaded
 * machine the clock can then jump to the next pending timer while a fake activity runs, the cycle ends a slot late,
 * and the observer rightly skips that slot: day-run.test.ts failed on one such gap in 5,310 cycles in two CI
 * rehearsals. A real
 * activity's wall time IS workflow time, so each fake holds the lock (LockTimeSkipping / UnlockTimeSkipping, a
 * counter in SelfAdvancingTimerImpl) for as long as it runs: time then passes only while the workflow sleeps.
 */
export function holdTimeWhileRunning(
  env: TestWorkflowEnvironment,
  records: ActivityRecord[],
): ActivityInterceptorsFactory {
  const testService = env.connection.testService;
  if (!testService) throw new Error('the time-skipping environment has no test service');
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        // A local activity runs inside its workflow task, which holds the lock already; its scheduled time is the
        // first attempt's, not this execution's, so it has no queue wait to record either.
        if (ctx.info.isLocal) return next(input);
        await testService.lockTimeSkipping({});
        try {
          const { activityType, attempt, currentAttemptScheduledTimestampMs } = ctx.info;
          records.push({
            type: activityType,
            attempt,
            queuedMs: (await env.currentTimeMs()) - currentAttemptScheduledTimestampMs,
          });
          return await next(input);
        } finally {
          await testService.unlockTimeSkipping({});
        }
      },
    },
  });
}
