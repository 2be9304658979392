import type { ExplainerModels } from './agents/explainer.ts';
import type { CredentialProvider } from './clients/aws/index.ts';
import { createDefaultCredentialProvider } from './clients/aws/index.ts';
import { createBedrockClient } from './clients/bedrock.ts';
import { createOpenAiCompatibleClient } from './clients/openai-compatible.ts';
import type { LlmConfig, PriceTable } from './models/index.ts';

/**
 * Composition root of the model explainer: the provider LlmConfig names, with both model ids and the price table.
 * Null for `none` (rules only). A test or the demo passes an `openai-compatible` config with a local base URL.
 */
export function explainerModelsFor(input: {
  llm: LlmConfig;
  prices: PriceTable;
  awsEnv?: Readonly<Record<string, string | undefined>>;
  /** Reuse the worker's credential provider when it has one (one refresh loop per process). */
  credentials?: CredentialProvider;
  fetch?: typeof fetch;
}): ExplainerModels | null {
  const { llm } = input;
  const fetchOption = input.fetch ? { fetch: input.fetch } : {};
  switch (llm.provider) {
    case 'none':
      return null;
    case 'bedrock':
      return {
        provider: createBedrockClient({
          region: llm.region,
          credentials: input.credentials ?? createDefaultCredentialProvider({ env: { ...input.awsEnv } }),
          ...(llm.baseUrl ? { baseUrl: llm.baseUrl } : {}),
          timeoutMs: llm.timeoutMs,
          ...fetchOption,
        }),
        dispatcherModel: llm.dispatcherModel,
        researcherModel: llm.researcherModel,
        prices: input.prices,
      };
    case 'openai-compatible':
      return {
        provider: createOpenAiCompatibleClient({
          baseUrl: llm.baseUrl,
          apiKey: llm.apiKey,
          structuredOutput: llm.structuredOutput,
          timeoutMs: llm.timeoutMs,
          ...fetchOption,
        }),
        dispatcherModel: llm.dispatcherModel,
        researcherModel: llm.researcherModel,
        prices: input.prices,
      };
    default: {
      const unreachable: never = llm;
      throw new Error(`unknown provider ${JSON.stringify(unreachable)}`);
    }
  }
}
