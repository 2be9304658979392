import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { type LocalModelServer, startLocalModelServer } from '../../src/demo/local-model.ts';
import { freePort } from '../../src/demo/local-prometheus.ts';
import { buildForNode, resultOf, runNode, TEST_SERVER, WORKFLOWS_PATH } from '../support/temporal.ts';

// Bun applies test/setup.ts's default timeout to the first file only; this one runs a real model for minutes.
setDefaultTimeout(1_500_000);

/**
 * A steady hour, an incident and a recovery through the real workflows, activities, store and knowledge index with
 * the REAL local model (SmolLM2-135M): what the closing measurement asks, and the properties that must hold
 * whatever a small model says (test/workflows/node/explainer-hour.ts runs it).
 */

interface HourAssessment {
  cycle: number;
  trigger: string;
  state: string;
  decided: string;
  explainer: 'rules' | 'model' | 'cache';
  fallback_reason: string | null;
  fallback_detail: string;
  calls: number;
  rejected: string[];
  dispatch: string | null;
  cached_from: string | null;
  summary: string;
}

interface Hour {
  phases: { steadyCycles: number; incidentCycles: number; recoveryCycles: number };
  assessments: HourAssessment[];
  calls: { role: string; outcome: string; inputTokens: number; outputTokens: number; latencyMs: number }[];
  maxActivityQueuedMs: number;
  slowestQueued: unknown[];
  cycles: number;
}

let model: LocalModelServer;
let hour: Hour;

beforeAll(async () => {
  model = await startLocalModelServer({ port: await freePort(), readyWithinMs: 120_000 });
  const script = await buildForNode({ entry: 'test/workflows/node/explainer-hour.ts', name: 'test-explainer-hour' });
  hour = resultOf(await runNode({ script, args: [WORKFLOWS_PATH, TEST_SERVER, model.baseUrl, model.modelId] })) as Hour;
  const byRole = (role: string) => hour.calls.filter((c) => c.role === role);
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
  // The closing note's measurement, in the CI log.
  console.log(`explainer hour: ${hour.cycles} cycles; ${JSON.stringify(hour.assessments)}`);
  console.log(`explainer hour: slowest queued activities ${JSON.stringify(hour.slowestQueued)}`);
  for (const role of ['dispatcher', 'researcher']) {
    const calls = byRole(role);
    console.log(
      `explainer hour: ${role}: ${calls.length} calls (${JSON.stringify(calls.map((c) => c.outcome))}); mean tokens in ${mean(calls.map((c) => c.inputTokens)).toFixed(0)}, out ${mean(calls.map((c) => c.outputTokens)).toFixed(0)}; mean latency ${mean(calls.map((c) => c.latencyMs)).toFixed(0)} ms`,
    );
  }
});

afterAll(async () => {
  await model?.stop();
});

test('every assessment is stored with the decided state, and says who wrote it and why', () => {
  expect(hour.assessments.length).toBeGreaterThanOrEqual(3);
  for (const a of hour.assessments) {
    expect(a.state).toBe(a.decided);
    // Rules-only from a configured model always carries its reason; a model or cache answer never does.
    expect(a.explainer === 'rules' ? a.fallback_reason !== null : a.fallback_reason === null).toBe(true);
  }
  // The incident is explained as it happens: a non-Happy assessment inside it.
  const { steadyCycles, incidentCycles } = hour.phases;
  const incident = hour.assessments.filter((a) => a.cycle >= steadyCycles && a.cycle < steadyCycles + incidentCycles);
  expect(incident.map((a) => a.state)).toContain('critical');
});

test('after the first assessment the steady hour calls no model (fingerprint cache, remembered fallbacks)', () => {
  const steady = hour.assessments.filter((a) => a.cycle < hour.phases.steadyCycles);
  // The scheduled slots keep assessing the unchanged state: these are answered without a model.
  expect(steady.length).toBeGreaterThanOrEqual(3);
  const first = steady[0];
  expect(first?.calls).toBeGreaterThan(0);
  expect(steady.slice(1).map((a) => a.calls)).toEqual(steady.slice(1).map(() => 0));
  // Every model call the pipeline made was counted by the worker's metrics sink, and nothing else was.
  expect(hour.calls.length).toBe(hour.assessments.reduce((sum, a) => sum + a.calls, 0));
});

test('the test server never skipped time while an activity waited (the model ran in workflow time)', () => {
  expect(hour.maxActivityQueuedMs).toBeLessThan(10_000);
});
