import { expect, test } from 'bun:test';
import { type } from 'arktype';
import fc from 'fast-check';
import type { CachedExplanation } from '../../src/agents/explainer.ts';
import { explainDecision } from '../../src/agents/explainer.ts';
import type { HealthState, ModelProvider } from '../../src/models/index.ts';
import { AppError } from '../../src/models/index.ts';
import { decidedArb } from './evidence-fixtures.ts';

/**
 * Cost control: with the store's cache in front (keyed as the repository keys it: cluster, fingerprint, rule
 * version), a fingerprint a model already explained never calls a model again.
 */

const MINIMAL_ANSWER = {
  summary: 'The rules explain this decision.',
  explanation: '',
  contributing_factors: [],
  issues: [],
  suggested_actions: [],
  knowledge_used: [],
};

test('an unchanged fingerprint never calls a model', async () => {
  const orderArb = fc.array(fc.nat(5), { maxLength: 12 });
  await fc.assert(
    fc.asyncProperty(fc.array(decidedArb, { minLength: 1, maxLength: 6 }), orderArb, async (cases, order) => {
      const repeats = order.map((index) => cases[index % cases.length]).filter((c) => c !== undefined);
      const cache = new Map<string, CachedExplanation>();
      let calls = 0;
      let decided: HealthState = 'unknown';
      const provider: ModelProvider = {
        name: 'openai-compatible',
        async generate(request) {
          calls += 1;
          // A minimal grounded answer (the decided state, no numbers, no blame): verification accepts it.
          const answer = { ...MINIMAL_ANSWER, health_state: decided };
          const output = request.parse(request.tool.name === 'choose_depth' ? { depth: 'quick', reason: 'x' } : answer);
          if (output instanceof type.errors) throw new AppError('UPSTREAM_BAD_BODY', output.summary);
          const usage = { input_tokens: 1, output_tokens: 1 };
          return { output, modelId: request.modelId, usage, latencyMs: 1, attempts: 1, stopReason: 'stop' };
        },
      };
      let modelAnswers = 0;
      for (const [index, input] of [...cases, ...repeats].entries()) {
        const key = `${input.decision.cluster}|${input.decision.fingerprint}|${input.decision.rule_version}`;
        const cachedBefore = cache.has(key);
        const callsBefore = calls;
        decided = input.decision.health_state;
        const explanation = await explainDecision(
          {
            models: { provider, dispatcherModel: 'd', researcherModel: 'r', prices: {} },
            cached: async () => cache.get(key) ?? null,
            clock: () => 0,
          },
          { ...input, window: [], logPatterns: [] },
        );
        // What the store keeps: a model-written explanation is the cache entry for its key (rules ones never are).
        if (explanation.explainer === 'model') {
          modelAnswers += 1;
          cache.set(key, { assessmentKey: `a${index}`, explanation });
        }
        if (cachedBefore) {
          expect(calls).toBe(callsBefore);
          expect(explanation.explainer).toBe('cache');
        }
      }
      // Not vacuous: the models did answer (each distinct key at most once).
      expect(modelAnswers).toBe(cache.size);
      expect(modelAnswers).toBeGreaterThan(0);
    }),
    { numRuns: 100 },
  );
});
