import { afterAll, beforeEach, describe, expect, test } from 'bun:test';
import { explainDecision } from '../../src/agents/explainer.ts';
import { evaluate } from '../../src/health/index.ts';
import type { ExplainerCallRecord, FallbackReason, ModelAssessment } from '../../src/models/index.ts';
import { Explanation, parseOrThrow } from '../../src/models/index.ts';
import { snapshotOf, zeroPrimary } from '../health/fixtures.ts';
import { startBedrockServer } from '../support/bedrock-server.ts';
import { BAD_ANSWERS, bedrockModels, CREDENTIALS, criticalInput, goodAnswer, REGION } from './explainer-fixtures.ts';

/**
 * The explainer pipeline against the local Bedrock server (real SigV4 verification, documented shapes): each bad
 * answer kind and each failure ends in a valid explanation, with the reason recorded and the decided state untouched.
 */

let researcherAnswers: ModelAssessment[] = [];
let dispatchAnswer: unknown = { depth: 'deep', reason: 'persistence errors stall progress' };
const server = startBedrockServer({
  region: REGION,
  credentials: [CREDENTIALS],
  answer: (tool) => (tool === 'choose_depth' ? dispatchAnswer : (researcherAnswers.shift() ?? goodAnswer())),
});
afterAll(() => server.stop());
beforeEach(() => {
  server.received.length = 0;
  researcherAnswers = [];
  dispatchAnswer = { depth: 'deep', reason: 'persistence errors stall progress' };
});

async function run(researcher: string, options: { timeoutMs?: number; dispatcher?: string } = {}) {
  const calls: ExplainerCallRecord[] = [];
  const explanation = await explainDecision(
    {
      models: bedrockModels({ url: server.url, researcher, ...options }),
      clock: Date.now,
      onCall: (record) => calls.push(record),
    },
    criticalInput(),
  );
  parseOrThrow(Explanation, explanation, 'explanation');
  return { explanation, calls };
}

describe('explainer against the Bedrock server', () => {
  test('a grounded answer is accepted, restored, and costed', async () => {
    const { explanation, calls } = await run('ok-researcher');
    expect(explanation.explainer).toBe('model');
    expect(explanation.fallback_reason).toBeNull();
    // The placeholder the model saw is restored to the cluster's name; the request never held it.
    const cluster = criticalInput().decision.cluster;
    expect(explanation.summary).toBe(`Cluster ${cluster} is critical: persistence fails with 80 errors per second.`);
    expect(server.received.every((r) => r.verified && !r.rawBody.includes(`"${cluster}"`))).toBe(true);
    expect(explanation.issues[0]).toMatchObject({ rule_id: 'critical.persistence_errors', severity: 'critical' });
    expect(calls.map((c) => [c.role, c.outcome])).toEqual([
      ['dispatcher', 'accepted'],
      ['researcher', 'accepted'],
    ]);
    // 412 in / 58 out per call (the server's usage); only the dispatcher has a price: (412·3 + 58·15) / 1e6.
    expect(explanation.model_usage).toMatchObject({ calls: 2, input_tokens: 824, output_tokens: 116, rejected: [] });
    expect(explanation.model_usage?.cost_usd).toBeCloseTo((412 * 3 + 58 * 15) / 1e6, 12);
  });

  test.each(Object.keys(BAD_ANSWERS) as (keyof typeof BAD_ANSWERS)[])(
    '%s: retried once with the violations listed, then accepted',
    async (kind) => {
      researcherAnswers = [BAD_ANSWERS[kind], goodAnswer()];
      const { explanation, calls } = await run('ok-researcher');
      expect(explanation.explainer).toBe('model');
      expect(calls.map((c) => c.outcome)).toEqual(['accepted', 'rejected', 'accepted']);
      const retry = server.received.at(-1)?.rawBody ?? '';
      expect(retry).toContain('rejected by verification');
      expect(explanation.model_usage?.rejected).toHaveLength(1);
    },
  );

  test.each(Object.keys(BAD_ANSWERS) as (keyof typeof BAD_ANSWERS)[])(
    '%s twice: the rules-only explanation with verification_failed',
    async (kind) => {
      researcherAnswers = [BAD_ANSWERS[kind], BAD_ANSWERS[kind]];
      const { explanation, calls } = await run('ok-researcher');
      expect(explanation.explainer).toBe('rules');
      expect(explanation.fallback_reason).toBe('verification_failed');
      expect(calls.map((c) => c.outcome)).toEqual(['accepted', 'rejected', 'rejected']);
      expect(explanation.summary).toContain('is critical');
    },
  );

  test.each<[string, FallbackReason, number]>([
    ['throttle-9-researcher', 'throttled', 4],
    ['not-ready-9-researcher', 'throttled', 4],
    ['5xx-9-researcher', 'model_unavailable', 4],
    ['malformed-researcher', 'malformed_output', 1],
    ['validation-researcher', 'model_rejected_request', 1],
    ['hang-researcher', 'model_timeout', 1],
  ])('%s: bounded attempts, then the rules with %s', async (researcher, reason, attempts) => {
    const { explanation, calls } = await run(researcher, { timeoutMs: researcher.startsWith('hang') ? 300 : 5000 });
    expect(explanation.explainer).toBe('rules');
    expect(explanation.fallback_reason).toBe(reason);
    expect(server.received.filter((r) => r.modelId === researcher)).toHaveLength(attempts);
    expect(calls.at(-1)).toMatchObject({ role: 'researcher', outcome: 'failed', costUsd: 0 });
  });

  test('dispatcher says none on a Happy decision: the rules explain, reason dispatcher_none, no researcher', async () => {
    dispatchAnswer = { depth: 'none', reason: 'the rules say it all' };
    const calls: ExplainerCallRecord[] = [];
    const primary = zeroPrimary();
    primary.state_transitions.throughput_per_sec = 20;
    primary.history.task_processing_rate_per_sec = 20;
    primary.workflow_completion.success_per_sec = 10;
    const snapshot = snapshotOf(primary);
    const happy = { snapshot, overrides: undefined, decision: evaluate({ snapshot, state: null }).decision };
    expect(happy.decision.health_state).toBe('happy');
    const explanation = await explainDecision(
      {
        models: bedrockModels({ url: server.url, researcher: 'ok-researcher' }),
        clock: Date.now,
        onCall: (r) => calls.push(r),
      },
      { ...happy, window: [], logPatterns: [] },
    );
    expect(explanation).toMatchObject({ explainer: 'rules', fallback_reason: 'dispatcher_none' });
    expect(explanation.fallback_detail).toBe('the rules say it all');
    expect(calls.map((c) => c.role)).toEqual(['dispatcher']);
  });

  test('dispatcher says none on a Critical decision: raised to deep by rule, the researcher writes it', async () => {
    dispatchAnswer = { depth: 'none', reason: 'the rules say it all' };
    const { explanation, calls } = await run('ok-researcher');
    expect(explanation.explainer).toBe('model');
    expect(explanation.model_usage?.dispatch_depth).toBe('deep');
    expect(explanation.model_usage?.dispatch_reason).toContain('raised to deep');
    expect(calls.map((c) => c.role)).toEqual(['dispatcher', 'researcher']);
  });

  test('a failing dispatcher: the rules with its reason, the researcher never called', async () => {
    const { explanation } = await run('ok-researcher', { dispatcher: '5xx-9-dispatcher' });
    expect(explanation).toMatchObject({ explainer: 'rules', fallback_reason: 'model_unavailable' });
    expect(server.received.some((r) => r.modelId === 'ok-researcher')).toBe(false);
  });

  test('the same evidence gives byte-identical request bodies', async () => {
    await run('ok-researcher');
    await run('ok-researcher');
    const bodies = server.received.map((r) => r.rawBody);
    expect(bodies).toHaveLength(4);
    expect(bodies[2]).toBe(bodies[0] ?? '');
    expect(bodies[3]).toBe(bodies[1] ?? '');
  });
});
