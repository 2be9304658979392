import { expect, setDefaultTimeout, test } from 'bun:test';
import { buildForNode, resultOf, runNode, TEST_SERVER, WORKFLOWS_PATH } from '../support/temporal.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file starts real servers.
setDefaultTimeout(600_000);

/**
 * The observer under failures that outlast the activities' retries (time-skipping server, typed fake activities):
 * a failing observation is stored as a blind cycle (`unknown`, never the last state left standing), and a failed
 * reconcile at start falls back to a fresh engine state instead of failing the workflow for good.
 */

interface Failures {
  fetch: { currentState: string | null; healthyStates: string[]; failingStates: string[]; blindMissing: string[] };
  reconcile: { status: string; cyclesTotal: number; latestCycleCalls: number; states: string[] };
  retention: { purges: number; firstCutoffDaysBeforeStart: number; gapsDays: number[]; runs: number };
}

test('a failing fetch stores unknown; a failing reconcile starts fresh; retention purges daily', async () => {
  const script = await buildForNode({ entry: 'test/workflows/node/failures.ts', name: 'test-failures' });
  const result = resultOf(await runNode({ script, args: [WORKFLOWS_PATH, TEST_SERVER] })) as Failures;

  // Healthy cycles, then every cycle whose fetch failed is stored, and stored as unknown.
  expect([...new Set(result.fetch.healthyStates)]).toEqual(['happy']);
  expect(result.fetch.failingStates.length).toBeGreaterThanOrEqual(2);
  expect([...new Set(result.fetch.failingStates)]).toEqual(['unknown']);
  expect(result.fetch.currentState).toBe('unknown');
  // Every measurable signal failed with the activity's failure code; the rest are honestly not measurable.
  expect(result.fetch.blindMissing.filter((m) => !m.startsWith('not_measurable:'))).toEqual(['query_failed:Error']);

  expect(result.reconcile.status).toBe('RUNNING');
  expect(result.reconcile.latestCycleCalls).toBe(1);
  expect(result.reconcile.cyclesTotal).toBeGreaterThanOrEqual(2);
  expect(result.reconcile.states).toEqual(['happy']);

  // Retention: a purge at start and one a day after (3 days → 4 purges), 7 days kept, bounded runs.
  expect(result.retention.purges).toBe(4);
  expect(result.retention.firstCutoffDaysBeforeStart).toBe(7);
  expect(result.retention.gapsDays).toEqual([1, 1, 1]);
  expect(result.retention.runs).toBeGreaterThanOrEqual(2);
});
