import { describe, expect, test } from 'bun:test';
import { readKbConfig } from '../src/config-llm.ts';
import { knowledgeBackendOf } from '../src/knowledge-base.ts';

describe('knowledge base configuration', () => {
  test('nothing set: local retrieval, no bucket', () => {
    const kb = readKbConfig({});
    expect(kb).toEqual({
      knowledgeBaseId: null,
      dataSourceId: null,
      bucket: null,
      prefix: '',
      region: null,
      retrieveUrl: null,
      agentUrl: null,
      s3Url: null,
    });
    expect(knowledgeBackendOf(kb)).toBe('local');
  });

  test.each([
    ['rag', 'rag/'],
    ['/rag//', 'rag/'],
    ['a/b/', 'a/b/'],
    ['', ''],
  ])('prefix %p is stored as %p', (prefix, expected) => {
    expect(readKbConfig({ COPILOT_KB_PREFIX: prefix }).prefix).toBe(expected);
  });

  test('a knowledge base id selects Bedrock', () => {
    expect(knowledgeBackendOf(readKbConfig({ COPILOT_KB_ID: 'ABCDEFGHIJ', AWS_REGION: 'us-east-1' }))).toBe('bedrock');
  });

  test.each([
    [{ COPILOT_KB_ID: 'ABCDEFGHIJ' }, 'AWS_REGION'],
    [{ COPILOT_KB_BUCKET: 'bucket' }, 'AWS_REGION'],
    [{ COPILOT_KB_DATA_SOURCE_ID: 'ABCDEFGHIJ', AWS_REGION: 'us-east-1' }, 'COPILOT_KB_ID'],
  ])('%p is refused, naming %s', (env, variable) => {
    expect(() => readKbConfig(env)).toThrow(variable);
  });
});
