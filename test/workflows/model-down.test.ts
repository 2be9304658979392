import { expect, setDefaultTimeout, test } from 'bun:test';
import { buildForNode, resultOf, runNode, TEST_SERVER, WORKFLOWS_PATH } from '../support/temporal.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file starts real servers.
setDefaultTimeout(600_000);

interface ModelDown {
  cycles: string[];
  assessments: {
    state: string;
    decided: string;
    explainer: string;
    fallback_reason: string | null;
    detail: string | null;
  }[];
  calls: string[];
}

test('with the model unreachable every assessment is still stored: rules-only, reason recorded', async () => {
  const script = await buildForNode({ entry: 'test/workflows/node/model-down.ts', name: 'test-model-down' });
  const result = resultOf(await runNode({ script, args: [WORKFLOWS_PATH, TEST_SERVER] })) as ModelDown;
  // Failing persistence: the observer goes stressed, then critical (two state changes → two assessments at least).
  expect(result.cycles.length).toBeGreaterThanOrEqual(5);
  expect(result.assessments.length).toBeGreaterThanOrEqual(2);
  for (const assessment of result.assessments) {
    expect(assessment.state).toBe(assessment.decided);
    expect(assessment.explainer).toBe('rules');
    expect(assessment.fallback_reason).toBe('model_unavailable');
    expect(assessment.detail).toContain('dispatcher');
  }
  // Each assessment tried the dispatcher once (its client's retries inside) and recorded the failed call.
  expect(result.calls.length).toBe(result.assessments.length);
  expect([...new Set(result.calls)]).toEqual(['dispatcher:failed']);
});
