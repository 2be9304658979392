import { afterAll, describe, expect, test } from 'bun:test';
import { createBedrockClient } from '../../src/clients/bedrock.ts';
import type { ModelAssessment, ModelRequest } from '../../src/models/index.ts';
import { AppError, ASSESSMENT_TOOL_SCHEMA, ModelAssessment as ModelAssessmentType } from '../../src/models/index.ts';
import { startBedrockServer } from '../support/bedrock-server.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDBEDROCKTEST00000',
  secretAccessKey: 'bedrock/test+secret/key000000000000000000',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE//bedrock+session==',
};
const REGION = 'eu-west-1';

const VALID: ModelAssessment = {
  health_state: 'critical',
  summary: 'Persistence errors stall history.',
  explanation: '',
  contributing_factors: [],
  issues: [],
  suggested_actions: [],
  knowledge_used: [],
};

const server = startBedrockServer({ region: REGION, credentials: [CREDENTIALS], answer: () => VALID });
afterAll(() => server.stop());

const sleeps: number[] = [];
const client = createBedrockClient({
  region: REGION,
  credentials: async () => CREDENTIALS,
  baseUrl: server.url,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
});

function request(modelId: string, extra: Partial<ModelRequest<ModelAssessment>> = {}): ModelRequest<ModelAssessment> {
  return {
    modelId,
    system: 'Explain the decided state. Never change it.',
    messages: [{ role: 'user', text: '{"decision":{"health_state":"critical"}}' }],
    tool: { name: 'report_assessment', description: 'The assessment', inputSchema: ASSESSMENT_TOOL_SCHEMA },
    parse: ModelAssessmentType,
    ...extra,
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

describe('Bedrock Converse client against a verifying local server', () => {
  test('a forced tool use comes back validated, with usage, latency and the signed, encoded model id', async () => {
    const modelId = 'us.anthropic.ok-claude-sonnet-4-5-20250929-v1:0';
    const response = await client.generate(request(modelId));
    expect(response).toEqual({
      output: VALID,
      modelId,
      usage: { input_tokens: 412, output_tokens: 58 },
      latencyMs: 1830,
      attempts: 1,
      stopReason: 'tool_use',
    });
    const last = server.received.at(-1);
    expect(last?.verified).toBe(true);
    expect(last?.path).toBe('/model/us.anthropic.ok-claude-sonnet-4-5-20250929-v1%3A0/converse');
    expect(last?.modelId).toBe(modelId);
    expect(last?.body).toMatchObject({
      system: [{ text: 'Explain the decided state. Never change it.' }],
      inferenceConfig: { maxTokens: 2048, temperature: 0 },
      toolConfig: {
        tools: [{ toolSpec: { name: 'report_assessment', inputSchema: { json: ASSESSMENT_TOOL_SCHEMA } } }],
        toolChoice: { tool: { name: 'report_assessment' } },
      },
    });
  });

  test('an inference-profile ARN (with / and :) is encoded and signed so the server verifies it', async () => {
    const arn = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.ok-opus-v1:0';
    const response = await client.generate(request(arn));
    expect(response.modelId).toBe(arn);
    expect(server.received.at(-1)?.verified).toBe(true);
    expect(server.received.at(-1)?.modelId).toBe(arn);
  });

  test.each([
    ['ThrottlingException', 'throttle-2'],
    ['ModelNotReadyException', 'not-ready-1'],
    ['InternalServerException', '5xx-2'],
  ])('%s is retried with jitter and then answers', async (_name, behaviour) => {
    sleeps.length = 0;
    const response = await client.generate(request(`test.${behaviour}-v1:0`));
    const fails = Number(behaviour.split('-').at(-1));
    expect(response.attempts).toBe(fails + 1);
    expect(sleeps).toHaveLength(fails);
    // Full jitter: random() × min(cap, base × 2^n) with random fixed at 0.5.
    expect(sleeps).toEqual([100, 200].slice(0, fails));
  });

  test('throttling past the attempt bound is UPSTREAM_THROTTLED after exactly four attempts', async () => {
    const before = server.received.length;
    const error = await failure(client.generate(request('test.throttle-9-v1:0')));
    expect(error.code).toBe('UPSTREAM_THROTTLED');
    expect(error.message).toContain('ThrottlingException');
    expect(server.received.length - before).toBe(4);
  });

  test('ValidationException is not retried and is a permanent error', async () => {
    const before = server.received.length;
    const error = await failure(client.generate(request('anthropic.validation-v1:0')));
    expect(error.code).toBe('UPSTREAM_QUERY_ERROR');
    expect(error.permanent).toBe(true);
    expect(server.received.length - before).toBe(1);
  });

  test('malformed tool input is UPSTREAM_BAD_BODY naming the bad field; a truncated answer too', async () => {
    const malformed = await failure(client.generate(request('test.malformed-v1:0')));
    expect(malformed.code).toBe('UPSTREAM_BAD_BODY');
    expect(Object.keys(malformed.problems ?? {})).toContain('health_state');
    const truncated = await failure(client.generate(request('test.truncated-v1:0')));
    expect(truncated.code).toBe('UPSTREAM_BAD_BODY');
    expect(truncated.message).toContain('maxTokens');
  });

  test('a wrong secret key is rejected by the server and is AUTH_FAILED', async () => {
    const wrong = createBedrockClient({
      region: REGION,
      credentials: async () => ({ ...CREDENTIALS, secretAccessKey: 'not-the-secret' }),
      baseUrl: server.url,
    });
    const error = await failure(wrong.generate(request('test.ok-v1:0')));
    expect(error.code).toBe('AUTH_FAILED');
    expect(server.received.at(-1)?.verified).toBe(false);
  });

  test('a timed-out generation is not retried: one request, no backoff, even with attempts to spare', async () => {
    const slowSleeps: number[] = [];
    const patientRetries = createBedrockClient({
      region: REGION,
      credentials: async () => CREDENTIALS,
      baseUrl: server.url,
      timeoutMs: 100,
      maxAttempts: 4,
      sleep: async (ms) => {
        slowSleeps.push(ms);
      },
    });
    const before = server.received.length;
    expect((await failure(patientRetries.generate(request('test.hang-slow-v1:0')))).code).toBe('UPSTREAM_TIMEOUT');
    expect(server.received.length - before).toBe(1);
    expect(slowSleeps).toEqual([]);
  });

  test('a model that never answers times out; a caller abort cancels at once', async () => {
    const impatient = createBedrockClient({
      region: REGION,
      credentials: async () => CREDENTIALS,
      baseUrl: server.url,
      timeoutMs: 200,
      maxAttempts: 1,
    });
    expect((await failure(impatient.generate(request('test.hang-v1:0')))).code).toBe('UPSTREAM_TIMEOUT');
    const controller = new AbortController();
    const pending = client.generate(request('test.hang-v1:0', { signal: controller.signal }));
    controller.abort();
    expect((await failure(pending)).code).toBe('CANCELLED');
  });
});
