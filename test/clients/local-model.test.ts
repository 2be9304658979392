import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { createOpenAiCompatibleClient } from '../../src/clients/openai-compatible.ts';
import { type LocalModelServer, startLocalModelServer } from '../../src/demo/local-model.ts';
import { freePort } from '../../src/demo/local-prometheus.ts';
import { AppError, DISPATCH_TOOL_SCHEMA, DispatchDecision } from '../../src/models/index.ts';

// Bun applies test/setup.ts's default timeout to the first file only; this one starts a real model.
setDefaultTimeout(240_000);

/**
 * The real local model (SmolLM2-135M-Instruct on llama-cpp-python's server, built by .ci/setup-llm) through our
 * OpenAI-compatible client: the protocol facts the explainer relies on, checked against the real server rather
 * than against our own idea of it.
 */

let server: LocalModelServer;

beforeAll(async () => {
  server = await startLocalModelServer({ port: await freePort(), readyWithinMs: 120_000 });
});

afterAll(async () => {
  await server?.stop();
});

const dispatchRequest = {
  system: 'You triage health decisions of a Temporal cluster. Answer only through the tool.',
  messages: [
    {
      role: 'user' as const,
      text: 'The cluster is critical: persistence errors 80/s (threshold 5/s). How deep should the explanation go?',
    },
  ],
  tool: { name: 'dispatch', description: 'Choose the depth of the explanation.', inputSchema: DISPATCH_TOOL_SCHEMA },
  parse: DispatchDecision,
  maxTokens: 128,
};

test('a forced tool call on the real server answers in the schema, with token usage', async () => {
  const client = createOpenAiCompatibleClient({ baseUrl: server.baseUrl, structuredOutput: 'tool', maxAttempts: 1 });
  const response = await client.generate({ ...dispatchRequest, modelId: server.modelId });
  // The grammar llama-cpp-python builds from the tool's schema constrains decoding, so even a 135M model answers
  // in shape; what it says is the verifier's business.
  expect(['none', 'quick', 'deep']).toContain(response.output.depth);
  expect(response.output.reason.length).toBeGreaterThan(0);
  expect(response.usage.input_tokens).toBeGreaterThan(20);
  expect(response.usage.output_tokens).toBeGreaterThan(0);
  expect(response.attempts).toBe(1);
});

test('the same request twice at temperature 0 gives the same answer (stable wording)', async () => {
  const client = createOpenAiCompatibleClient({ baseUrl: server.baseUrl, structuredOutput: 'tool', maxAttempts: 1 });
  const first = await client.generate({ ...dispatchRequest, modelId: server.modelId });
  const second = await client.generate({ ...dispatchRequest, modelId: server.modelId });
  expect(second.output).toEqual(first.output);
});

test('json_object with a schema is what llama-cpp-python constrains; OpenAI json_schema it refuses', async () => {
  const client = createOpenAiCompatibleClient({
    baseUrl: server.baseUrl,
    structuredOutput: 'json_object',
    maxAttempts: 1,
  });
  const response = await client.generate({ ...dispatchRequest, modelId: server.modelId });
  expect(['none', 'quick', 'deep']).toContain(response.output.depth);
  // The fact behind the `json_object` mode: this server validates response_format.type against
  // 'text' | 'json_object' and answers OpenAI's json_schema with an error, not with JSON.
  const refused = createOpenAiCompatibleClient({
    baseUrl: server.baseUrl,
    structuredOutput: 'json_schema',
    maxAttempts: 1,
  });
  const failure = await refused.generate({ ...dispatchRequest, modelId: server.modelId }).then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(AppError);
  expect(failure instanceof AppError ? failure.message : '').toContain("'text' or 'json_object'");
});
