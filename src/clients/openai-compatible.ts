import { type } from 'arktype';
import type { ModelProvider, ModelRequest, ModelResponse, StructuredOutputMode } from '../models/index.ts';
import { AppError, parseJsonText } from '../models/index.ts';
import { requestWithRetry } from './http.ts';
import { countingFetch, modelOutput } from './model-common.ts';

/**
 * OpenAI-compatible chat completions (llama.cpp's server, llama-cpp-python, Ollama, vLLM), for teams that keep data
 * in-house. Structured output through a response format (`json_schema`, or `json_object` with a schema; the content
 * is the JSON) or through one forced function tool (its `arguments` string is the JSON). 429 and 5xx are retried with full jitter.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export interface OpenAiCompatibleClientOptions {
  /** Up to and including the API version, e.g. `http://127.0.0.1:8080/v1`. */
  baseUrl: string;
  apiKey?: string | null;
  /** @default 'json_schema' */
  structuredOutput?: StructuredOutputMode;
  /** @default 60000 */
  timeoutMs?: number;
  /** @default 3 */
  maxAttempts?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  clock?: () => number;
}

const ChatCompletion = type({
  choices: type({
    message: {
      'content?': 'string | null',
      'tool_calls?': type({ function: { name: 'string', arguments: 'string' } }).array(),
    },
    'finish_reason?': 'string | null',
  })
    .array()
    .atLeastLength(1),
  'usage?': { prompt_tokens: 'number >= 0', completion_tokens: 'number >= 0' },
});

function readJson(text: string): unknown {
  try {
    return parseJsonText(text, 'response');
  } catch {
    return null;
  }
}

function errorFor(status: number, upstream: string, text: string): AppError {
  const message = `${upstream}: HTTP ${status} ${text.slice(0, 200)}`;
  if (status === 429) return new AppError('UPSTREAM_THROTTLED', message);
  if (status === 401 || status === 403) return new AppError('AUTH_FAILED', message);
  if (status === 400 || status === 404 || status === 422) return new AppError('UPSTREAM_QUERY_ERROR', message);
  return new AppError('UPSTREAM_STATUS', message);
}

/**
 * How the schema reaches the server. `json_schema` is OpenAI's response format (vLLM speaks it too); `json_object`
 * with a `schema` beside it is what llama-cpp-python accepts (its server answers `json_schema` with a validation
 * error, HTTP 500 — seen on 0.3.36); `tool` forces one function, which every one of them supports.
 */
function requestFormat(mode: StructuredOutputMode, tool: ModelRequest<unknown>['tool']): Record<string, unknown> {
  switch (mode) {
    case 'json_schema':
      return {
        response_format: {
          type: 'json_schema',
          // strict:false because the tool schemas use what OpenAI's strict mode rejects (optional properties,
          // minLength, records); a strict server would answer 400. Local servers constrain decoding either way,
          // and the caller's Type validates the answer regardless.
          json_schema: { name: tool.name, schema: tool.inputSchema, strict: false },
        },
      };
    case 'json_object':
      return { response_format: { type: 'json_object', schema: tool.inputSchema } };
    case 'tool':
      return {
        tools: [
          {
            type: 'function',
            function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
          },
        ],
        tool_choice: { type: 'function', function: { name: tool.name } },
      };
  }
}

export function createOpenAiCompatibleClient(options: OpenAiCompatibleClientOptions): ModelProvider {
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const mode = options.structuredOutput ?? 'json_schema';
  const clock = options.clock ?? Date.now;

  async function generate<T>(request: ModelRequest<T>): Promise<ModelResponse<T>> {
    const upstream = `openai-compatible ${request.modelId}`;
    const format = requestFormat(mode, request.tool);
    const body = JSON.stringify({
      model: request.modelId,
      messages: [
        { role: 'system', content: request.system },
        ...request.messages.map((message) => ({ role: message.role, content: message.text })),
      ],
      max_tokens: request.maxTokens ?? 2048,
      temperature: request.temperature ?? 0,
      ...format,
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.apiKey) headers['authorization'] = `Bearer ${options.apiKey}`;
    const counter = countingFetch(options.fetch ?? globalThis.fetch, clock);
    const result = await requestWithRetry({
      build: () => new Request(endpoint, { method: 'POST', headers, body }),
      fetch: counter.fetch,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 3,
      sleep: options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
      signal: request.signal,
      upstream,
      // One slow generation must not cost maxAttempts × timeoutMs and be billed that many times.
      retryTimeouts: false,
    });
    if (result.status !== 200) throw errorFor(result.status, upstream, result.text);
    const parsed = ChatCompletion(readJson(result.text));
    if (parsed instanceof type.errors) {
      throw new AppError('UPSTREAM_BAD_BODY', `${upstream}: not a chat completion: ${parsed.summary}`);
    }
    const choice = parsed.choices[0];
    if (choice?.finish_reason === 'length') {
      throw new AppError('UPSTREAM_BAD_BODY', `${upstream}: output cut at max_tokens; the JSON is partial`);
    }
    const call = choice?.message.tool_calls?.find((candidate) => candidate.function.name === request.tool.name);
    const raw = mode === 'tool' ? call?.function.arguments : (choice?.message.content ?? undefined);
    if (raw === undefined)
      throw new AppError('UPSTREAM_BAD_BODY', `${upstream}: the answer holds no structured output`);
    const data = readJson(raw);
    if (data === null) throw new AppError('UPSTREAM_BAD_BODY', `${upstream}: the structured output is not JSON`);
    return {
      output: modelOutput(request, data, upstream),
      modelId: request.modelId,
      usage: {
        input_tokens: parsed.usage?.prompt_tokens ?? 0,
        output_tokens: parsed.usage?.completion_tokens ?? 0,
      },
      latencyMs: counter.lastLatencyMs(),
      attempts: counter.calls(),
      stopReason: choice?.finish_reason ?? 'unknown',
    };
  }

  return { name: 'openai-compatible', generate };
}
