import { type } from 'arktype';
import { ActionType, ContributingFactor, IssueSeverity, RiskLevel } from './assessment.ts';
import { HealthState } from './health.ts';
import { NonNegative } from './numbers.ts';

/**
 * The model-provider port and the structured answer the researcher must give. The provider is chosen by
 * configuration (`COPILOT_LLM_PROVIDER`); the answer is validated with these Types before anything reads it, and
 * verified against the evidence before it is stored (agents/verify.ts). A model never sets the health state: it
 * restates it, and a restatement that differs is a rejected answer.
 */

export const LlmProviderName = type("'bedrock' | 'openai-compatible' | 'none'");
export type LlmProviderName = typeof LlmProviderName.infer;

/** How an OpenAI-compatible server is asked for structured output. */
export const StructuredOutputMode = type("'json_schema' | 'json_object' | 'tool'");
export type StructuredOutputMode = typeof StructuredOutputMode.infer;

export type LlmConfig =
  | { provider: 'none' }
  | {
      provider: 'bedrock';
      region: string;
      dispatcherModel: string;
      researcherModel: string;
      /** A VPC endpoint or a local test server; null: `https://bedrock-runtime.{region}.amazonaws.com`. */
      baseUrl: string | null;
      timeoutMs: number;
    }
  | {
      provider: 'openai-compatible';
      dispatcherModel: string;
      researcherModel: string;
      /** Up to and including the API version, e.g. `http://127.0.0.1:8080/v1`. */
      baseUrl: string;
      /** Sent as a bearer token when set. Not enumerable in the config object, so logging it cannot leak it. */
      apiKey: string | null;
      structuredOutput: StructuredOutputMode;
      timeoutMs: number;
    };

const EvidenceIds = type('string[]').atMostLength(12);

export const ModelIssue = type({
  severity: IssueSeverity,
  service: 'string > 0',
  title: 'string > 0',
  description: 'string',
  evidence_ids: EvidenceIds,
});
export type ModelIssue = typeof ModelIssue.infer;

export const ModelAction = type({
  action_type: ActionType,
  target_service: 'string > 0',
  description: 'string > 0',
  parameters: 'Record<string, string | number | boolean>',
  risk_level: RiskLevel,
  // Plain ranges, not the finite-number narrows: a tool schema must be expressible as JSON Schema, and parsed JSON
  // cannot hold NaN or Infinity anyway.
  confidence: '0 <= number <= 1',
});
export type ModelAction = typeof ModelAction.infer;

/** The researcher's answer: the tool input (Bedrock) or the JSON-schema-constrained content (OpenAI-compatible). */
export const ModelAssessment = type({
  /** The decided state, restated; verification rejects any other value. */
  health_state: HealthState,
  summary: 'string > 0',
  explanation: 'string',
  contributing_factors: ContributingFactor.array().atMostLength(8),
  issues: ModelIssue.array().atMostLength(10),
  suggested_actions: ModelAction.array().atMostLength(8),
  /** Ids of the knowledge passages the answer relied on. */
  knowledge_used: 'string[]',
});
export type ModelAssessment = typeof ModelAssessment.infer;

/** The dispatcher's answer: how much explaining this decision needs. */
export const DispatchDecision = type({
  depth: "'none' | 'quick' | 'deep'",
  reason: 'string > 0',
});
export type DispatchDecision = typeof DispatchDecision.infer;

/** A JSON schema (draft 2020-12 subset) for a tool input or response format; top-level `type: object`. */
export type JsonSchemaObject = Readonly<Record<string, unknown>>;

/** JSON schema of an ArkType object Type, without the `$schema` key some providers reject in tool schemas. */
export function toolSchemaOf(schema: { toJsonSchema: () => unknown }): JsonSchemaObject {
  const json = schema.toJsonSchema();
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { type: 'object' };
  return Object.fromEntries(Object.entries(json).filter(([key]) => key !== '$schema'));
}

export const ASSESSMENT_TOOL_SCHEMA: JsonSchemaObject = toolSchemaOf(ModelAssessment);
export const DISPATCH_TOOL_SCHEMA: JsonSchemaObject = toolSchemaOf(DispatchDecision);

export interface ModelMessage {
  role: 'user' | 'assistant';
  text: string;
}

/** One structured-output call. `parse` validates the model's JSON; a failure is `UPSTREAM_BAD_BODY`. */
export interface ModelRequest<T> {
  modelId: string;
  system: string;
  messages: readonly ModelMessage[];
  /** The one tool (or response format) the model must answer through. Name: `[a-zA-Z][a-zA-Z0-9_]{0,63}`. */
  tool: { name: string; description: string; inputSchema: JsonSchemaObject };
  parse: (data: unknown) => T | type.errors;
  /** @default 2048 */
  maxTokens?: number;
  /** @default 0 (the same evidence should read the same way every time) */
  temperature?: number;
  signal?: AbortSignal;
}

export const TokenUsage = type({ input_tokens: NonNegative, output_tokens: NonNegative });
export type TokenUsage = typeof TokenUsage.infer;

export interface ModelResponse<T> {
  output: T;
  modelId: string;
  usage: TokenUsage;
  /** Wall time of the successful attempt as the client measured it, ms. */
  latencyMs: number;
  /** Attempts made, the successful one included (retries of throttling and 5xx show here). */
  attempts: number;
  stopReason: string;
}

/** A model provider: Bedrock Converse or an OpenAI-compatible server. Implemented in clients/. */
export interface ModelProvider {
  readonly name: Exclude<LlmProviderName, 'none'>;
  generate<T>(request: ModelRequest<T>): Promise<ModelResponse<T>>;
}
