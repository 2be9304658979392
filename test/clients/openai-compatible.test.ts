import { afterAll, describe, expect, test } from 'bun:test';
import { type } from 'arktype';
import { createOpenAiCompatibleClient } from '../../src/clients/openai-compatible.ts';
import type { DispatchDecision, ModelRequest } from '../../src/models/index.ts';
import { AppError, DISPATCH_TOOL_SCHEMA, DispatchDecision as DispatchType } from '../../src/models/index.ts';

/**
 * A local server in the shapes llama.cpp's server and llama-cpp-python answer: the JSON in `message.content` for
 * `response_format`, in `tool_calls[0].function.arguments` (a string) for a forced tool. The model name picks the
 * behaviour. (The real SmolLM2 server is the next slice; this pins the wire format.)
 */
const JsonObject = type('Record<string, unknown>');
const received: { body: Record<string, unknown>; authorization: string | null }[] = [];
const hits = new Map<string, number>();
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(request) {
    if (new URL(request.url).pathname !== '/v1/chat/completions') return new Response('no', { status: 404 });
    const body = JsonObject.assert(await request.json());
    received.push({ body, authorization: request.headers.get('authorization') });
    const model = String(body['model']);
    const count = (hits.get(model) ?? 0) + 1;
    hits.set(model, count);
    if (model === 'busy' && count === 1) return new Response('{"error":"busy"}', { status: 503 });
    // A generation that outlasts any client deadline.
    if (model === 'slow') return new Promise<Response>(() => {});
    const json = model === 'bad' ? '{"depth":"deep"' : JSON.stringify({ depth: 'quick', reason: 'one clear cause' });
    const message = body['tools']
      ? { content: null, tool_calls: [{ function: { name: 'choose_depth', arguments: json } }] }
      : { content: json };
    return Response.json({
      choices: [{ message: { role: 'assistant', ...message }, finish_reason: model === 'long' ? 'length' : 'stop' }],
      usage: { prompt_tokens: 300, completion_tokens: 20 },
    });
  },
});
afterAll(() => server.stop(true));

const baseUrl = `http://127.0.0.1:${server.port}/v1`;
const noSleep = async () => {};

function request(modelId: string): ModelRequest<DispatchDecision> {
  return {
    modelId,
    system: 'Choose the depth.',
    messages: [{ role: 'user', text: 'evidence' }],
    tool: { name: 'choose_depth', description: 'depth', inputSchema: DISPATCH_TOOL_SCHEMA },
    parse: DispatchType,
  };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('OpenAI-compatible chat client', () => {
  test('json_schema response format: the schema is sent, the content parsed, usage captured', async () => {
    const client = createOpenAiCompatibleClient({ baseUrl, apiKey: 'sk-local', sleep: noSleep });
    const response = await client.generate(request('smollm2'));
    expect(response.output).toEqual({ depth: 'quick', reason: 'one clear cause' });
    expect(response.usage).toEqual({ input_tokens: 300, output_tokens: 20 });
    const last = received.at(-1);
    expect(last?.authorization).toBe('Bearer sk-local');
    expect(last?.body).toMatchObject({
      model: 'smollm2',
      temperature: 0,
      messages: [
        { role: 'system', content: 'Choose the depth.' },
        { role: 'user', content: 'evidence' },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'choose_depth', schema: DISPATCH_TOOL_SCHEMA, strict: false },
      },
    });
  });

  test('forced tool: the function is chosen and its arguments string parsed; no key, no header', async () => {
    const client = createOpenAiCompatibleClient({ baseUrl, structuredOutput: 'tool', sleep: noSleep });
    const response = await client.generate(request('smollm2'));
    expect(response.output.depth).toBe('quick');
    expect(received.at(-1)?.authorization).toBeNull();
    expect(received.at(-1)?.body['tool_choice']).toEqual({ type: 'function', function: { name: 'choose_depth' } });
  });

  test('json_object: the schema rides beside the type, as llama-cpp-python expects', async () => {
    const client = createOpenAiCompatibleClient({ baseUrl, structuredOutput: 'json_object', sleep: noSleep });
    const response = await client.generate(request('smollm2'));
    expect(response.output.depth).toBe('quick');
    expect(received.at(-1)?.body['response_format']).toEqual({ type: 'json_object', schema: DISPATCH_TOOL_SCHEMA });
  });

  test('a 503 is retried once and then answers', async () => {
    const client = createOpenAiCompatibleClient({ baseUrl, sleep: noSleep, random: () => 0 });
    expect((await client.generate(request('busy'))).attempts).toBe(2);
  });

  test.each([
    ['truncated JSON', 'bad'],
    ['an answer cut at max_tokens', 'long'],
  ])('%s is UPSTREAM_BAD_BODY', async (_name, model) => {
    const client = createOpenAiCompatibleClient({ baseUrl, sleep: noSleep });
    expect((await failure(client.generate(request(model)))).code).toBe('UPSTREAM_BAD_BODY');
  });

  test('a timed-out generation is not retried, so it is not billed again', async () => {
    const client = createOpenAiCompatibleClient({ baseUrl, sleep: noSleep, timeoutMs: 100, maxAttempts: 3 });
    expect((await failure(client.generate(request('slow')))).code).toBe('UPSTREAM_TIMEOUT');
    expect(hits.get('slow')).toBe(1);
  });

  test('an unreachable server is UPSTREAM_UNREACHABLE after the bounded attempts', async () => {
    const client = createOpenAiCompatibleClient({ baseUrl: 'http://127.0.0.1:1/v1', sleep: noSleep, maxAttempts: 2 });
    expect((await failure(client.generate(request('smollm2')))).code).toBe('UPSTREAM_UNREACHABLE');
  });
});
