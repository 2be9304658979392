import { TestWorkflowEnvironment } from '@temporalio/testing';

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
