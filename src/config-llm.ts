import { type } from 'arktype';
import type { KbConfig, LlmConfig, PriceTable } from './models/index.ts';
import { AppError, LlmProviderName, ModelPrice, StructuredOutputMode } from './models/index.ts';

/**
 * The explainer's part of the environment, kept apart from config.ts so the LLM settings change in one place.
 * `COPILOT_LLM_PROVIDER` picks the provider; Bedrock defaults to Claude Sonnet (dispatcher) and Claude Opus
 * (researcher) through the cross-region inference profile of AWS_REGION's geography (`us.` or `eu.`), which newer
 * Claude models require; an OpenAI-compatible server needs its base URL and both model ids, since no default could
 * be right.
 */
export const LlmEnv = type({
  'COPILOT_LLM_PROVIDER?': LlmProviderName,
  'COPILOT_LLM_DISPATCHER_MODEL?': 'string > 0',
  'COPILOT_LLM_RESEARCHER_MODEL?': 'string > 0',
  'COPILOT_LLM_BASE_URL?': 'string.url',
  'COPILOT_LLM_API_KEY?': 'string > 0',
  'COPILOT_LLM_STRUCTURED_OUTPUT?': StructuredOutputMode,
  'COPILOT_LLM_TIMEOUT_SEC?': 'string.integer.parse |> 1 <= number.integer <= 600',
  'COPILOT_LLM_PRICES?': 'string > 0',
  'AWS_REGION?': 'string > 0',
});
type LlmEnv = typeof LlmEnv.infer;

export const LLM_DEFAULTS = {
  provider: 'none',
  /** Foundation model ids; the geography prefix of the inference profile comes from AWS_REGION. */
  bedrockDispatcherModel: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
  bedrockResearcherModel: 'anthropic.claude-opus-4-5-20251101-v1:0',
  structuredOutput: 'json_schema',
  timeoutSec: 60,
} as const;

/**
 * The inference-profile geography a region's requests may use, for the default models: `us.` from US regions,
 * `eu.` from EU ones (both models have both profiles). Elsewhere (APAC, where profiles for these models are `jp.`,
 * `au.`, `apac.` or only `global.` depending on model and region; GovCloud's `us-gov.`; Canada, South America) a
 * guess is a permanent ValidationException on every call, so there is no default and the models must be set.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 */
export function bedrockProfileGeo(region: string): 'us' | 'eu' | null {
  if (region.startsWith('us-gov-')) return null;
  if (region.startsWith('us-')) return 'us';
  if (region.startsWith('eu-')) return 'eu';
  return null;
}

/**
 * How long an assessment's explainer steps may take in the workflow: the research step makes up to two model calls
 * (the answer and one retry after a failed verification), each bounded by the per-call timeout, plus margin. With no
 * model the workflow's own default (30 s) is plenty for the rules. Capped at the input schema's 300 s.
 */
export function explainDeadlineMs(llm: LlmConfig): number | undefined {
  if (llm.provider === 'none') return undefined;
  return Math.min(300_000, 2 * llm.timeoutMs + 10_000);
}

/** @throws AppError CONFIG_INVALID naming the variable that is missing or does not fit the provider. */
export function readLlmConfig(env: LlmEnv): LlmConfig {
  const provider = env.COPILOT_LLM_PROVIDER ?? LLM_DEFAULTS.provider;
  const timeoutMs = (env.COPILOT_LLM_TIMEOUT_SEC ?? LLM_DEFAULTS.timeoutSec) * 1000;
  const invalid = (variable: string, reason: string) =>
    new AppError('CONFIG_INVALID', `${variable}: ${reason}`, { problems: { [variable]: [reason] } });
  switch (provider) {
    case 'none':
      return { provider };
    case 'bedrock': {
      if (!env.AWS_REGION) throw invalid('AWS_REGION', 'COPILOT_LLM_PROVIDER=bedrock needs the Bedrock region');
      if (env.COPILOT_LLM_API_KEY) {
        throw invalid('COPILOT_LLM_API_KEY', 'Bedrock signs with AWS credentials (SigV4); an API key is not used');
      }
      const region = env.AWS_REGION;
      const geo = bedrockProfileGeo(region);
      const defaultModel = (variable: string, model: string): string => {
        if (geo !== null) return `${geo}.${model}`;
        throw invalid(
          variable,
          `no default Bedrock model for AWS_REGION=${region}: set it to an inference profile id or ARN available ` +
            `there (e.g. global.${model}, or a jp./au./apac. profile)`,
        );
      };
      return {
        provider,
        region,
        dispatcherModel:
          env.COPILOT_LLM_DISPATCHER_MODEL ??
          defaultModel('COPILOT_LLM_DISPATCHER_MODEL', LLM_DEFAULTS.bedrockDispatcherModel),
        researcherModel:
          env.COPILOT_LLM_RESEARCHER_MODEL ??
          defaultModel('COPILOT_LLM_RESEARCHER_MODEL', LLM_DEFAULTS.bedrockResearcherModel),
        baseUrl: env.COPILOT_LLM_BASE_URL ?? null,
        timeoutMs,
      };
    }
    case 'openai-compatible': {
      const need = 'is required with COPILOT_LLM_PROVIDER=openai-compatible';
      if (!env.COPILOT_LLM_BASE_URL) throw invalid('COPILOT_LLM_BASE_URL', `${need} (e.g. http://127.0.0.1:8080/v1)`);
      if (!env.COPILOT_LLM_DISPATCHER_MODEL) throw invalid('COPILOT_LLM_DISPATCHER_MODEL', need);
      if (!env.COPILOT_LLM_RESEARCHER_MODEL) throw invalid('COPILOT_LLM_RESEARCHER_MODEL', need);
      const config: LlmConfig = {
        provider,
        dispatcherModel: env.COPILOT_LLM_DISPATCHER_MODEL,
        researcherModel: env.COPILOT_LLM_RESEARCHER_MODEL,
        baseUrl: env.COPILOT_LLM_BASE_URL,
        apiKey: env.COPILOT_LLM_API_KEY ?? null,
        structuredOutput: env.COPILOT_LLM_STRUCTURED_OUTPUT ?? LLM_DEFAULTS.structuredOutput,
        timeoutMs,
      };
      // Logging or serializing the config must not leak the key.
      Object.defineProperty(config, 'apiKey', { enumerable: false });
      return config;
    }
    default: {
      const unreachable: never = provider;
      throw invalid('COPILOT_LLM_PROVIDER', `unknown provider ${String(unreachable)}`);
    }
  }
}

// ---- Knowledge base (docs/rag retrieval, `copilot kb`) ----

/**
 * The knowledge base's part of the environment. `COPILOT_KB_ID` switches retrieval from the local index over
 * docs/rag to Bedrock Knowledge Base Retrieve; `COPILOT_KB_DATA_SOURCE_ID` is the S3 data source ingestion jobs
 * run on; `COPILOT_KB_BUCKET` / `COPILOT_KB_PREFIX` are where `kb sync` uploads the corpus. The `*_URL` variables
 * override the regional endpoints (VPC endpoints, local servers; S3 then goes path-style).
 */
export const KbEnv = type({
  'COPILOT_KB_ID?': /^[0-9a-zA-Z]{10}$/,
  'COPILOT_KB_DATA_SOURCE_ID?': /^[0-9a-zA-Z]{10}$/,
  'COPILOT_KB_BUCKET?': /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  'COPILOT_KB_PREFIX?': 'string',
  'COPILOT_KB_RETRIEVE_URL?': 'string.url',
  'COPILOT_KB_AGENT_URL?': 'string.url',
  'COPILOT_KB_S3_URL?': 'string.url',
  'AWS_REGION?': 'string > 0',
});
type KbEnv = typeof KbEnv.infer;

/** @throws AppError CONFIG_INVALID when a KB setting needs another that is missing. */
export function readKbConfig(env: KbEnv): KbConfig {
  const invalid = (variable: string, reason: string) =>
    new AppError('CONFIG_INVALID', `${variable}: ${reason}`, { problems: { [variable]: [reason] } });
  const region = env.AWS_REGION ?? null;
  if (region === null && (env.COPILOT_KB_ID || env.COPILOT_KB_BUCKET)) {
    throw invalid('AWS_REGION', 'COPILOT_KB_ID and COPILOT_KB_BUCKET need the region of the knowledge base and bucket');
  }
  if (env.COPILOT_KB_DATA_SOURCE_ID && !env.COPILOT_KB_ID) {
    throw invalid('COPILOT_KB_ID', 'COPILOT_KB_DATA_SOURCE_ID belongs to a knowledge base; set its id too');
  }
  const rawPrefix = (env.COPILOT_KB_PREFIX ?? '').replace(/^\/+/, '');
  return {
    knowledgeBaseId: env.COPILOT_KB_ID ?? null,
    dataSourceId: env.COPILOT_KB_DATA_SOURCE_ID ?? null,
    bucket: env.COPILOT_KB_BUCKET ?? null,
    // Keys are `<prefix><file>`: a prefix names a folder, so it ends in exactly one slash.
    prefix: rawPrefix === '' ? '' : `${rawPrefix.replace(/\/+$/, '')}/`,
    region,
    retrieveUrl: env.COPILOT_KB_RETRIEVE_URL ?? null,
    agentUrl: env.COPILOT_KB_AGENT_URL ?? null,
    s3Url: env.COPILOT_KB_S3_URL ?? null,
  };
}

/**
 * Default prices of the two default Claude models, USD per million tokens. Configuration, not a fact the copilot
 * knows: these are Anthropic's published on-demand list prices for Claude Sonnet 4.5 and Opus 4.5 as third-party
 * pages quoted them when this was written (AWS's own page was not reachable from here; regional inference
 * profiles may cost more). Set `COPILOT_LLM_PRICES` to your contract's prices; a model without a price costs 0.
 */
export const DEFAULT_LLM_PRICES: PriceTable = {
  [LLM_DEFAULTS.bedrockDispatcherModel]: { input_per_million_usd: 3, output_per_million_usd: 15 },
  [LLM_DEFAULTS.bedrockResearcherModel]: { input_per_million_usd: 5, output_per_million_usd: 25 },
};

const PriceTableJson = type('string.json.parse').pipe(type({ '[string]': ModelPrice }));

/**
 * `COPILOT_LLM_PRICES`: JSON `{"<model id>": {"input_per_million_usd": n, "output_per_million_usd": n}}`, merged
 * over the defaults (a listed model replaces its default).
 * @throws AppError CONFIG_INVALID when the JSON does not parse or does not fit.
 */
export function readLlmPrices(text: string | undefined): PriceTable {
  if (text === undefined) return DEFAULT_LLM_PRICES;
  const parsed = PriceTableJson(text);
  if (parsed instanceof type.errors) {
    throw new AppError('CONFIG_INVALID', `COPILOT_LLM_PRICES: ${parsed.summary}`, {
      problems: { COPILOT_LLM_PRICES: [parsed.summary] },
    });
  }
  return Object.freeze({ ...DEFAULT_LLM_PRICES, ...parsed });
}
