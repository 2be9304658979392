import type { VerifierCredentials } from './sigv4-verifier.ts';
import { verifySigV4 } from './sigv4-verifier.ts';

/**
 * A local Bedrock-runtime-compatible server for Converse. Every request's SigV4 signature (service `bedrock`) is
 * verified independently before anything else; a bad one is a 403 `InvalidSignatureException`, as AWS answers.
 * The model id (URL-decoded from the path) picks the behaviour, so one server covers every case:
 * - `*ok*`: a tool-use answer built by `answer(toolName)`;
 * - `*throttle-N*` / `*not-ready-N*` / `*5xx-N*`: the first N calls fail (ThrottlingException 429,
 *   ModelNotReadyException 429, InternalServerException 500), then `ok`;
 * - `*validation*`: ValidationException 400 (a bare id that needs an inference profile);
 * - `*malformed*`: a tool use whose input does not match the schema; `*truncated*`: stopReason max_tokens;
 * - `*hang*`: never answers (timeouts and cancellation).
 * Documented shapes: aws-protocols.md §3 (header `x-amzn-ErrorType`, body `{message}`).
 */
export interface ReceivedConverse {
  path: string;
  modelId: string;
  body: unknown;
  rawBody: string;
  verified: boolean;
  reason?: string;
}

export interface BedrockServerOptions {
  region: string;
  credentials: readonly VerifierCredentials[];
  /** The tool input for `ok` answers; defaults to an empty object. */
  answer?: (toolName: string) => unknown;
}

function awsError(status: number, code: string, message: string): Response {
  return Response.json(
    { message },
    { status, headers: { 'x-amzn-ErrorType': `${code}:http://internal.amazon.com/coral/com.amazon.bedrock/` } },
  );
}

export function startBedrockServer(options: BedrockServerOptions) {
  const received: ReceivedConverse[] = [];
  const calls = new Map<string, number>();
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const rawBody = new TextDecoder().decode(bytes);
      const url = new URL(request.url);
      const match = /^\/model\/([^/]+)\/converse$/.exec(url.pathname);
      const verdict = verifySigV4({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: bytes,
        region: options.region,
        service: 'bedrock',
        credentials: options.credentials,
      });
      const modelId = match?.[1] ? decodeURIComponent(match[1]) : '';
      const body: unknown = rawBody === '' ? null : JSON.parse(rawBody);
      received.push({
        path: url.pathname,
        modelId,
        body,
        rawBody,
        verified: verdict.ok,
        ...(verdict.ok ? {} : { reason: verdict.reason }),
      });
      if (!verdict.ok) return awsError(403, 'InvalidSignatureException', verdict.reason);
      if (request.method !== 'POST' || match === null) return awsError(404, 'UnknownOperationException', 'no route');
      const count = (calls.get(modelId) ?? 0) + 1;
      calls.set(modelId, count);
      const failing = /(throttle|not-ready|5xx)-(\d+)/.exec(modelId);
      if (failing && count <= Number(failing[2])) {
        if (failing[1] === 'throttle') return awsError(429, 'ThrottlingException', 'Too many requests');
        if (failing[1] === 'not-ready') return awsError(429, 'ModelNotReadyException', 'Model is not ready');
        return awsError(500, 'InternalServerException', 'internal error');
      }
      if (modelId.includes('validation')) {
        return awsError(400, 'ValidationException', 'on-demand throughput is not supported; use an inference profile');
      }
      if (modelId.includes('hang')) return new Promise<Response>(() => {});
      const toolName = toolNameOf(body);
      const input = modelId.includes('malformed') ? { health_state: 'sideways' } : (options.answer?.(toolName) ?? {});
      return Response.json({
        output: {
          message: {
            role: 'assistant',
            content: [
              { text: 'Answering with the tool.' },
              { toolUse: { toolUseId: 'tooluse_1', name: toolName, input } },
            ],
          },
        },
        stopReason: modelId.includes('truncated') ? 'max_tokens' : 'tool_use',
        usage: { inputTokens: 412, outputTokens: 58, totalTokens: 470 },
        metrics: { latencyMs: 1830 },
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    received,
    stop: () => server.stop(true),
    [Symbol.asyncDispose]: async () => {
      await server.stop(true);
    },
  };
}

function toolNameOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('toolConfig' in body)) return 'missing';
  const config = body.toolConfig;
  if (typeof config !== 'object' || config === null || !('toolChoice' in config)) return 'missing';
  const choice = config.toolChoice;
  if (typeof choice !== 'object' || choice === null || !('tool' in choice)) return 'missing';
  const tool = choice.tool;
  return typeof tool === 'object' && tool !== null && 'name' in tool && typeof tool.name === 'string'
    ? tool.name
    : 'missing';
}
