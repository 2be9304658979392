import { describe, expect, test } from 'bun:test';
import { type } from 'arktype';
import fc from 'fast-check';
import type { ExplainerDeps } from '../../src/agents/explainer.ts';
import { explainDecision, prepareEvidence } from '../../src/agents/explainer.ts';
import { evidenceNumbers, matchesEvidence, verifyAnswer } from '../../src/agents/verify.ts';
import { createBedrockClient } from '../../src/clients/bedrock.ts';
import type { Explanation, ModelAssessment, ModelProvider } from '../../src/models/index.ts';
import { AppError, ModelAssessment as AssessmentType, Explanation as ExplanationType } from '../../src/models/index.ts';
import { decidedArb } from './evidence-fixtures.ts';
import { CREDENTIALS, criticalInput, goodAnswer, REGION } from './explainer-fixtures.ts';

/** Properties of the pipeline: valid whatever the model does, nothing identifying leaves, no invented numbers pass. */

const ERROR_CODES = [
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_THROTTLED',
  'UPSTREAM_BAD_BODY',
  'UPSTREAM_STATUS',
  'AUTH_FAILED',
] as const;

const answerArb: fc.Arbitrary<ModelAssessment> = fc.record({
  health_state: fc.constantFrom('happy', 'stressed', 'critical', 'unknown'),
  summary: fc.string({ minLength: 1, maxLength: 40 }),
  explanation: fc.string({ maxLength: 40 }),
  contributing_factors: fc.array(
    fc.record({
      rank: fc.integer({ min: 1, max: 10 }),
      service: fc.constantFrom('history', 'matching', 'persistence', 'frontend', 'workers'),
      description: fc.string({ minLength: 1, maxLength: 20 }),
      evidence_ids: fc.array(fc.constantFrom('decision', 'rule:x', 'signal:persistence.error_rate_per_sec')),
    }),
    { maxLength: 3 },
  ),
  issues: fc.constant([]),
  suggested_actions: fc.constant([]),
  knowledge_used: fc.constant([]),
});

/** A provider that answers each call from a script: an error code, or an answer (validated as the client would). */
type Step = { error: (typeof ERROR_CODES)[number] } | { answer: ModelAssessment };
const behaviourArb = fc.array(
  fc.oneof(
    fc.constantFrom(...ERROR_CODES).map((error): Step => ({ error })),
    answerArb.map((answer): Step => ({ answer })),
  ),
  { minLength: 3, maxLength: 3 },
);

function scripted(behaviour: readonly Step[]): ModelProvider {
  let index = 0;
  return {
    name: 'bedrock',
    async generate(request) {
      const step = behaviour[index++ % behaviour.length];
      if (step === undefined) throw new Error('empty script');
      if ('error' in step) throw new AppError(step.error, `scripted ${step.error}`);
      const data = request.tool.name === 'choose_depth' ? { depth: 'deep', reason: 'scripted' } : step.answer;
      const output = request.parse(data);
      if (output instanceof type.errors) throw new AppError('UPSTREAM_BAD_BODY', output.summary);
      return {
        output,
        modelId: request.modelId,
        usage: { input_tokens: 1, output_tokens: 1 },
        latencyMs: 1,
        attempts: 1,
        stopReason: 'tool_use',
      };
    },
  };
}

describe('explainer properties', () => {
  test('whatever the model does, the explanation is valid and a model answer passed verification', async () => {
    await fc.assert(
      fc.asyncProperty(decidedArb, behaviourArb, async (decided, behaviour) => {
        const input = { ...decided, window: [], logPatterns: [] };
        const deps: ExplainerDeps = {
          models: { provider: scripted(behaviour), dispatcherModel: 'd', researcherModel: 'r', prices: {} },
          clock: () => 0,
        };
        const explanation: Explanation = await explainDecision(deps, input);
        expect(ExplanationType(explanation) instanceof Error).toBe(false);
        if (explanation.explainer === 'rules') expect(explanation.fallback_reason).not.toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  test('no identifier from the input appears in any outbound request body', async () => {
    const identifierArb = fc.record({
      cluster: fc.stringMatching(/^[a-z]{3,6}-[0-9]{2,4}[a-z]{2}$/),
      host: fc.stringMatching(/^[a-z]{4,8}\.corp\.internal$/),
      email: fc.stringMatching(/^[a-z]{3,8}@[a-z]{4,8}\.com$/),
      account: fc.stringMatching(/^[1-9][0-9]{11}$/),
    });
    await fc.assert(
      fc.asyncProperty(identifierArb, async (ids) => {
        const bodies: string[] = [];
        const fetchStub = Object.assign(
          async (request: RequestInfo | URL, init?: RequestInit) => {
            const body = request instanceof Request ? await request.text() : String(init?.body ?? '');
            bodies.push(body);
            const tool = body.includes('"choose_depth"') ? 'choose_depth' : 'write_assessment';
            const input = tool === 'choose_depth' ? { depth: 'deep', reason: 'x' } : goodAnswer();
            return Response.json({
              output: { message: { content: [{ toolUse: { name: tool, input } }] } },
              stopReason: 'tool_use',
              usage: { inputTokens: 1, outputTokens: 1 },
            });
          },
          { preconnect: () => {} },
        );
        const base = criticalInput();
        const decision = { ...base.decision, cluster: ids.cluster };
        const passage = `Host ${ids.host} (account ${ids.account}) pages ${ids.email} when cluster ${ids.cluster} stalls.`;
        await explainDecision(
          {
            models: {
              provider: createBedrockClient({ region: REGION, credentials: async () => CREDENTIALS, fetch: fetchStub }),
              dispatcherModel: 'd',
              researcherModel: 'r',
              prices: {},
            },
            knowledge: { retrieve: async () => [{ source: 'docs/rag/history-backlog.md', text: passage }] },
            clock: () => 0,
          },
          { ...base, decision, snapshot: { ...base.snapshot, cluster: ids.cluster } },
        );
        expect(bodies.length).toBeGreaterThanOrEqual(2);
        for (const body of bodies) for (const value of Object.values(ids)) expect(body).not.toContain(value);
      }),
      { numRuns: 100 },
    );
  });

  test('verification rejects any number that is not in the evidence', () => {
    const { redacted } = prepareEvidence(criticalInput(), []);
    const evidence = evidenceNumbers(redacted);
    const foreign = fc
      .oneof(
        fc.integer({ min: 0, max: 1_000_000 }).map(String),
        fc.double({ min: 0, max: 1e5, noNaN: true }).map((n) => n.toFixed(2)),
      )
      .filter((text) => !matchesEvidence(text, evidence));
    fc.assert(
      fc.property(foreign, (number) => {
        const answer = { ...goodAnswer(), explanation: `The backlog reached ${number} tasks.` };
        const verdict = verifyAnswer({ answer: AssessmentType.assert(answer), evidence: redacted });
        expect(verdict.violations.map((v) => v.kind)).toContain('unknown_number');
      }),
      { numRuns: 500 },
    );
  });
});
