import { describe, expect, test } from 'bun:test';
import { cachedModelAssessment, latestAssessment, writeAssessment } from '../../src/db/index.ts';
import type { Assessment, ModelUsage } from '../../src/models/index.ts';
import { openPglite } from './backends.ts';
import { assessment, T0 } from './fixtures.ts';

/**
 * The explainer's fields round-trip through the store (JSON and the new accounting columns), and the cache finds
 * model-written answers (and remembered deterministic fallbacks) of the same cluster, fingerprint and rule version.
 */

const USAGE: ModelUsage = {
  provider: 'bedrock',
  dispatcher_model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
  researcher_model: 'eu.anthropic.claude-opus-4-5-20251101-v1:0',
  calls: 3,
  input_tokens: 1236,
  output_tokens: 174,
  latency_ms: 5490,
  cost_usd: 0.0123,
  dispatch_depth: 'deep',
  dispatch_reason: 'persistence errors',
  rejected: ['unknown_number'],
  knowledge_error: null,
};

function modelWritten(input: { key: string; atMs: number; fingerprint: string }): Assessment {
  return {
    ...assessment({ cluster: 'prod', key: input.key, atMs: input.atMs, fingerprint: input.fingerprint }),
    explainer: 'model',
    explanation: 'Persistence errors stall history.',
    contributing_factors: [{ rank: 1, service: 'persistence', description: 'errors', evidence_ids: ['rule:x'] }],
    knowledge_used: ['docs/rag/persistence-latency.md'],
    fallback_reason: null,
    fallback_detail: null,
    model_usage: USAGE,
    cached_from: null,
  };
}

describe('explainer fields in the store', () => {
  test('model fields round-trip and fill the accounting columns; old-style rows keep them null', async () => {
    const db = await openPglite();
    try {
      const written = modelWritten({ key: 'a1', atMs: T0, fingerprint: 'f1' });
      await writeAssessment(db.sql, written);
      expect(await latestAssessment(db.sql, { cluster: 'prod' })).toEqual(written);
      const fallback: Assessment = {
        ...assessment({ cluster: 'prod', key: 'a2', atMs: T0 + 1000, fingerprint: 'f1' }),
        fallback_reason: 'throttled',
        fallback_detail: 'researcher: ThrottlingException',
      };
      await writeAssessment(db.sql, fallback);
      await writeAssessment(db.sql, assessment({ cluster: 'prod', key: 'a3', atMs: T0 + 2000 }));
      const rows = await db.sql`SELECT id, explainer, fallback_reason, model_ids, input_tokens, output_tokens,
          model_latency_ms, cost_usd FROM assessments ORDER BY id`;
      expect(rows.map((row) => ({ ...row }))).toEqual([
        {
          id: 'a1',
          explainer: 'model',
          fallback_reason: null,
          model_ids: `${USAGE.dispatcher_model},${USAGE.researcher_model}`,
          input_tokens: 1236,
          output_tokens: 174,
          model_latency_ms: 5490,
          cost_usd: 0.0123,
        },
        ...['a2', 'a3'].map((id) => ({
          id,
          explainer: 'rules',
          fallback_reason: id === 'a2' ? 'throttled' : null,
          model_ids: null,
          input_tokens: null,
          output_tokens: null,
          model_latency_ms: null,
          cost_usd: null,
        })),
      ]);
    } finally {
      await db.close();
    }
  });

  test('the cache: newest model answer of the same cluster, fingerprint and rule version, nothing else', async () => {
    const db = await openPglite();
    try {
      const key = { cluster: 'prod', fingerprint: 'f1', ruleVersion: 'rules-test-1' };
      expect(await cachedModelAssessment(db.sql, key)).toBeNull();
      await writeAssessment(db.sql, modelWritten({ key: 'old', atMs: T0, fingerprint: 'f1' }));
      await writeAssessment(db.sql, modelWritten({ key: 'new', atMs: T0 + 60_000, fingerprint: 'f1' }));
      await writeAssessment(db.sql, modelWritten({ key: 'other', atMs: T0 + 90_000, fingerprint: 'f2' }));
      // Newer rules-only and cache rows of the same fingerprint are not answers to reuse.
      await writeAssessment(
        db.sql,
        assessment({ cluster: 'prod', key: 'rules', atMs: T0 + 120_000, fingerprint: 'f1' }),
      );
      await writeAssessment(db.sql, {
        ...modelWritten({ key: 'reused', atMs: T0 + 150_000, fingerprint: 'f1' }),
        explainer: 'cache',
        cached_from: 'new',
      });
      expect((await cachedModelAssessment(db.sql, key))?.assessment_key).toBe('new');
      expect(await cachedModelAssessment(db.sql, { ...key, ruleVersion: 'rules-test-2' })).toBeNull();
      expect(await cachedModelAssessment(db.sql, { ...key, cluster: 'staging' })).toBeNull();
    } finally {
      await db.close();
    }
  });

  test('deterministic fallbacks are remembered, transient ones are not', async () => {
    const db = await openPglite();
    try {
      const key = { cluster: 'prod', fingerprint: 'f9', ruleVersion: 'rules-test-1' };
      const fallback = (id: string, atMs: number, reason: NonNullable<Assessment['fallback_reason']>): Assessment => ({
        ...assessment({ cluster: 'prod', key: id, atMs, fingerprint: 'f9' }),
        fallback_reason: reason,
        fallback_detail: reason,
      });
      await writeAssessment(db.sql, fallback('timeout', T0, 'model_timeout'));
      await writeAssessment(db.sql, fallback('throttle', T0 + 1000, 'throttled'));
      await writeAssessment(db.sql, fallback('down', T0 + 2000, 'model_unavailable'));
      // Asking again may well work after these: nothing to remember.
      expect(await cachedModelAssessment(db.sql, key)).toBeNull();
      await writeAssessment(db.sql, fallback('rejected', T0 + 3000, 'verification_failed'));
      const remembered = await cachedModelAssessment(db.sql, key);
      expect([remembered?.assessment_key, remembered?.fallback_reason]).toEqual(['rejected', 'verification_failed']);
      await writeAssessment(db.sql, fallback('none', T0 + 4000, 'dispatcher_none'));
      expect((await cachedModelAssessment(db.sql, key))?.assessment_key).toBe('none');
    } finally {
      await db.close();
    }
  });
});
