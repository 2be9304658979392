import { describe, expect, test } from 'bun:test';
import { loadConfig } from '../src/config.ts';
import { AppError } from '../src/models/index.ts';

function configError(env: Record<string, string>): AppError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

describe('LLM configuration', () => {
  test('unset: rules only', () => {
    expect(loadConfig({}).llm).toEqual({ provider: 'none' });
  });

  test.each([
    ['eu-west-1', 'eu'],
    ['eu-central-1', 'eu'],
    ['us-east-1', 'us'],
    ['us-west-2', 'us'],
  ])('bedrock in %s: Sonnet dispatches, Opus researches, through the %s. inference profiles', (region, geo) => {
    expect(loadConfig({ COPILOT_LLM_PROVIDER: 'bedrock', AWS_REGION: region }).llm).toEqual({
      provider: 'bedrock',
      region,
      dispatcherModel: `${geo}.anthropic.claude-sonnet-4-5-20250929-v1:0`,
      researcherModel: `${geo}.anthropic.claude-opus-4-5-20251101-v1:0`,
      baseUrl: null,
      timeoutMs: 60_000,
    });
  });

  test('bedrock where no default profile exists: explicit models are used as given', () => {
    const llm = loadConfig({
      COPILOT_LLM_PROVIDER: 'bedrock',
      AWS_REGION: 'ap-northeast-1',
      COPILOT_LLM_DISPATCHER_MODEL: 'jp.anthropic.claude-sonnet-4-5-20250929-v1:0',
      COPILOT_LLM_RESEARCHER_MODEL: 'global.anthropic.claude-opus-4-5-20251101-v1:0',
    }).llm;
    expect(llm).toMatchObject({
      region: 'ap-northeast-1',
      dispatcherModel: 'jp.anthropic.claude-sonnet-4-5-20250929-v1:0',
      researcherModel: 'global.anthropic.claude-opus-4-5-20251101-v1:0',
    });
  });

  test('openai-compatible: base URL, both models, a key that does not serialize', () => {
    const { llm } = loadConfig({
      COPILOT_LLM_PROVIDER: 'openai-compatible',
      COPILOT_LLM_BASE_URL: 'http://127.0.0.1:8080/v1',
      COPILOT_LLM_DISPATCHER_MODEL: 'smollm2',
      COPILOT_LLM_RESEARCHER_MODEL: 'smollm2',
      COPILOT_LLM_API_KEY: 'sk-local-secret',
      COPILOT_LLM_STRUCTURED_OUTPUT: 'tool',
      COPILOT_LLM_TIMEOUT_SEC: '20',
    });
    expect(llm.provider === 'openai-compatible' && llm.apiKey).toBe('sk-local-secret');
    expect(JSON.stringify(llm)).not.toContain('sk-local-secret');
    expect(JSON.parse(JSON.stringify(llm))).toEqual({
      provider: 'openai-compatible',
      dispatcherModel: 'smollm2',
      researcherModel: 'smollm2',
      baseUrl: 'http://127.0.0.1:8080/v1',
      structuredOutput: 'tool',
      timeoutMs: 20_000,
    });
  });

  test.each([
    ['an unknown provider', { COPILOT_LLM_PROVIDER: 'gpt' }, 'COPILOT_LLM_PROVIDER'],
    ['bedrock without a region', { COPILOT_LLM_PROVIDER: 'bedrock' }, 'AWS_REGION'],
    [
      'bedrock with an API key',
      { COPILOT_LLM_PROVIDER: 'bedrock', AWS_REGION: 'eu-west-1', COPILOT_LLM_API_KEY: 'k' },
      'COPILOT_LLM_API_KEY',
    ],
    [
      'bedrock in an APAC region with default models',
      { COPILOT_LLM_PROVIDER: 'bedrock', AWS_REGION: 'ap-southeast-2' },
      'COPILOT_LLM_DISPATCHER_MODEL',
    ],
    [
      'bedrock in GovCloud with only the dispatcher set',
      { COPILOT_LLM_PROVIDER: 'bedrock', AWS_REGION: 'us-gov-west-1', COPILOT_LLM_DISPATCHER_MODEL: 'us-gov.x' },
      'COPILOT_LLM_RESEARCHER_MODEL',
    ],
    ['openai-compatible without a URL', { COPILOT_LLM_PROVIDER: 'openai-compatible' }, 'COPILOT_LLM_BASE_URL'],
    [
      'openai-compatible without a researcher model',
      {
        COPILOT_LLM_PROVIDER: 'openai-compatible',
        COPILOT_LLM_BASE_URL: 'http://x:1/v1',
        COPILOT_LLM_DISPATCHER_MODEL: 'm',
      },
      'COPILOT_LLM_RESEARCHER_MODEL',
    ],
    ['a base URL that is not a URL', { COPILOT_LLM_BASE_URL: 'localhost' }, 'COPILOT_LLM_BASE_URL'],
    ['an unknown output mode', { COPILOT_LLM_STRUCTURED_OUTPUT: 'grammar' }, 'COPILOT_LLM_STRUCTURED_OUTPUT'],
    ['a timeout out of range', { COPILOT_LLM_TIMEOUT_SEC: '0' }, 'COPILOT_LLM_TIMEOUT_SEC'],
  ])('%s is CONFIG_INVALID naming the variable', (_name, env, variable) => {
    const error = configError(env);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(`${error.message} ${Object.keys(error.problems ?? {}).join(' ')}`).toContain(variable);
  });
});
