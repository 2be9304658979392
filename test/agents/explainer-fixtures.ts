import type { ExplainDecisionInput, ExplainerModels } from '../../src/agents/explainer.ts';
import { createBedrockClient } from '../../src/clients/bedrock.ts';
import type { ModelAssessment } from '../../src/models/index.ts';
import { criticalCase } from './evidence-fixtures.ts';

/** Shared by the explainer tests: a critical decision, a grounded answer for it, and its bad variants. */

export const CREDENTIALS = {
  accessKeyId: 'AKIDEXPLAINERTEST000',
  secretAccessKey: 'explainer/test+secret/key0000000000000000',
};
export const REGION = 'eu-west-1';

export function criticalInput(): ExplainDecisionInput {
  const decided = criticalCase();
  return { ...decided, window: [], logPatterns: [] };
}

/** Grounded: the decided state, the evidence's 80 errors/s, persistence (which fires), ids that exist. */
export function goodAnswer(): ModelAssessment {
  return {
    health_state: 'critical',
    summary: 'Cluster <cluster-1> is critical: persistence fails with 80 errors per second.',
    explanation: 'The persistence store returns errors (rule:critical.persistence_errors), so history stalls.',
    contributing_factors: [
      {
        rank: 1,
        service: 'persistence',
        description: 'Persistence errors at 80 per second.',
        evidence_ids: ['rule:critical.persistence_errors', 'signal:persistence.error_rate_per_sec'],
      },
    ],
    issues: [
      {
        severity: 'critical',
        service: 'persistence',
        title: 'Persistence is failing',
        description: 'The store answers with errors.',
        evidence_ids: ['rule:critical.persistence_errors'],
      },
    ],
    suggested_actions: [
      {
        action_type: 'investigate',
        target_service: 'persistence',
        description: 'Check the persistence store for errors and connection limits.',
        parameters: {},
        risk_level: 'low',
        confidence: 0.7,
      },
    ],
    knowledge_used: [],
  };
}

export const BAD_ANSWERS = {
  hallucinated_number: { ...goodAnswer(), summary: 'Cluster <cluster-1> is critical: 95 errors per second.' },
  wrong_state: { ...goodAnswer(), health_state: 'stressed' as const },
  blamed_healthy_service: {
    ...goodAnswer(),
    contributing_factors: [
      { rank: 1, service: 'matching', description: 'Matching is overloaded.', evidence_ids: ['service:matching'] },
    ],
  },
} satisfies Record<string, ModelAssessment>;

export function bedrockModels(input: {
  url: string;
  dispatcher?: string;
  researcher: string;
  timeoutMs?: number;
}): ExplainerModels {
  return {
    provider: createBedrockClient({
      region: REGION,
      credentials: async () => CREDENTIALS,
      baseUrl: input.url,
      timeoutMs: input.timeoutMs ?? 5000,
      sleep: async () => {},
      random: () => 0.5,
    }),
    dispatcherModel: input.dispatcher ?? 'ok-dispatcher',
    researcherModel: input.researcher,
    prices: { 'ok-dispatcher': { input_per_million_usd: 3, output_per_million_usd: 15 } },
  };
}
