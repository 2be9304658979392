import { type } from 'arktype';
import type { ModelProvider, ModelRequest, ModelResponse } from '../models/index.ts';
import { AppError, iamHint, parseJsonText } from '../models/index.ts';
import type { CredentialProvider } from './aws/index.ts';
import { createSigV4Signer } from './aws/index.ts';
import { requestWithRetry } from './http.ts';
import { countingFetch, modelOutput } from './model-common.ts';

/**
 * Amazon Bedrock Converse with one forced tool: the answer arrives as the tool's `input` object, shaped by the
 * tool's JSON schema and validated again by the caller's Type. Hand-rolled `fetch`, SigV4 with signing name
 * `bedrock`. Throttling, ModelNotReady (both 429) and 5xx are retried with full jitter; nothing else is.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */
export interface BedrockClientOptions {
  region: string;
  credentials: CredentialProvider;
  /** @default `https://bedrock-runtime.{region}.amazonaws.com` */
  baseUrl?: string;
  /** Per attempt; Converse is not streamed, so nothing arrives until generation ends. @default 60000 */
  timeoutMs?: number;
  /** Attempts including the first. @default 4 */
  maxAttempts?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  clock?: () => number;
}

const ConverseResponse = type({
  output: {
    message: { content: type({ 'toolUse?': { name: 'string', input: 'unknown' }, 'text?': 'string' }).array() },
  },
  stopReason: 'string',
  usage: { inputTokens: 'number >= 0', outputTokens: 'number >= 0' },
  'metrics?': { 'latencyMs?': 'number >= 0' },
});

/** The error code: `x-amzn-ErrorType` before its first `:`, else the body's `__type` (after any `#`) or `code`. */
function awsErrorCode(headers: Headers, text: string): string {
  const header = headers.get('x-amzn-errortype');
  if (header) return header.split(':')[0] ?? header;
  const parsed = type({ '__type?': 'string', 'code?': 'string' })(safeJson(text));
  if (parsed instanceof type.errors) return 'Unknown';
  return (parsed.__type?.split('#').at(-1) ?? parsed.code) || 'Unknown';
}

function safeJson(text: string): unknown {
  try {
    return parseJsonText(text, 'error body');
  } catch {
    return null;
  }
}

function errorFor(status: number, code: string, modelId: string): AppError {
  const message = `bedrock ${modelId}: HTTP ${status} ${code}`;
  if (status === 429) return new AppError('UPSTREAM_THROTTLED', message);
  if (status === 401 || status === 403) return new AppError('AUTH_FAILED', `${message}${iamHint('bedrockConverse')}`);
  // A bad request, an unknown model or a model that needs an inference profile: retrying cannot help.
  if (status === 400 || status === 404) return new AppError('UPSTREAM_QUERY_ERROR', message);
  return new AppError('UPSTREAM_STATUS', message);
}

export function createBedrockClient(options: BedrockClientOptions): ModelProvider {
  const baseUrl = (options.baseUrl ?? `https://bedrock-runtime.${options.region}.amazonaws.com`).replace(/\/+$/, '');
  const sign = createSigV4Signer({
    region: options.region,
    service: 'bedrock',
    credentials: options.credentials,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const clock = options.clock ?? Date.now;

  async function generate<T>(request: ModelRequest<T>): Promise<ModelResponse<T>> {
    // Model ids hold `:` and ARNs `/`: encode once here; the signer escapes again for the canonical URI, as AWS wants.
    const url = `${baseUrl}/model/${encodeURIComponent(request.modelId)}/converse`;
    const body = JSON.stringify({
      system: [{ text: request.system }],
      messages: request.messages.map((message) => ({ role: message.role, content: [{ text: message.text }] })),
      inferenceConfig: { maxTokens: request.maxTokens ?? 2048, temperature: request.temperature ?? 0 },
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: request.tool.name,
              description: request.tool.description,
              inputSchema: { json: request.tool.inputSchema },
            },
          },
        ],
        toolChoice: { tool: { name: request.tool.name } },
      },
    });
    const counter = countingFetch(options.fetch ?? globalThis.fetch, clock);
    const result = await requestWithRetry({
      build: () => new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      fetch: counter.fetch,
      sign,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 4,
      sleep: options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
      signal: request.signal,
      upstream: `bedrock ${request.modelId}`,
      // One slow generation must not cost maxAttempts × timeoutMs and be billed that many times.
      retryTimeouts: false,
    });
    if (result.status !== 200)
      throw errorFor(result.status, awsErrorCode(result.headers, result.text), request.modelId);
    const parsed = ConverseResponse(safeJson(result.text));
    if (parsed instanceof type.errors) {
      throw new AppError('UPSTREAM_BAD_BODY', `bedrock ${request.modelId}: not a Converse response: ${parsed.summary}`);
    }
    if (parsed.stopReason === 'max_tokens') {
      throw new AppError(
        'UPSTREAM_BAD_BODY',
        `bedrock ${request.modelId}: output cut at maxTokens; tool input is partial`,
      );
    }
    const toolUse = parsed.output.message.content.find((block) => block.toolUse?.name === request.tool.name)?.toolUse;
    if (toolUse === undefined) {
      throw new AppError(
        'UPSTREAM_BAD_BODY',
        `bedrock ${request.modelId}: no ${request.tool.name} tool use in the answer`,
      );
    }
    return {
      output: modelOutput(request, toolUse.input, `bedrock ${request.modelId}`),
      modelId: request.modelId,
      usage: { input_tokens: parsed.usage.inputTokens, output_tokens: parsed.usage.outputTokens },
      latencyMs: parsed.metrics?.latencyMs ?? counter.lastLatencyMs(),
      attempts: counter.calls(),
      stopReason: parsed.stopReason,
    };
  }

  return { name: 'bedrock', generate };
}
