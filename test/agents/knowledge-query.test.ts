import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { createLocalKnowledgeIndex } from '../../src/agents/knowledge-index.ts';
import { knowledgeQueryOf, MAX_KNOWLEDGE_QUERY_CHARS, signalWords } from '../../src/agents/knowledge-query.ts';
import type { Decision } from '../../src/models/index.ts';
import { criticalCase, decidedArb } from './evidence-fixtures.ts';

const index = createLocalKnowledgeIndex();

type QueryDecision = Parameters<typeof knowledgeQueryOf>[0]['decision'];

function quiet(overrides: Partial<QueryDecision> = {}): QueryDecision {
  return {
    health_state: 'happy',
    firing: [],
    data_quality: 'complete',
    worker_advisories: [],
    bottleneck: { classification: 'healthy', server_reasons: [], worker_reasons: [] },
    system_busy: false,
    ...overrides,
  };
}

describe('knowledgeQueryOf', () => {
  test('a Happy cluster with nothing elevated asks nothing', () => {
    expect(knowledgeQueryOf({ decision: quiet(), signals: [{ signal: 'primary.x.y', level: 'normal' }] })).toBe('');
  });

  test('failing persistence asks about persistence on DSQL, and the index answers with the DSQL note', async () => {
    const { decision } = criticalCase();
    const query = knowledgeQueryOf({ decision });
    expect(query).toContain('persistence errors');
    expect(query).toContain('OCC');
    const [top] = await index.retrieve({ query, limit: 3 });
    expect(top?.source).toStartWith('docs/rag/dsql-connections-and-occ.md#');
  });

  test('a sticky queue advisory with exhausted slots finds the sticky cache note', async () => {
    const decision = quiet({
      health_state: 'stressed',
      worker_advisories: [
        { rule: 'STICKY_QUEUE_WARNING', severity: 'warning', message: 'sticky' },
        { rule: 'NEVER_SCALE_DOWN_AT_ZERO', severity: 'critical', message: 'slots' },
      ],
    });
    const query = knowledgeQueryOf({ decision });
    const passages = await index.retrieve({ query, limit: 3 });
    expect(passages.map((p) => p.source.split('#')[0])).toContain('docs/rag/sticky-cache.md');
  });

  test('shard churn and elevated membership changes find the shard or deploy notes', async () => {
    const decision = quiet({
      health_state: 'stressed',
      firing: [
        {
          rule_id: 'stressed.shard_churn',
          signal: 'primary.history.shard_churn_rate_per_sec',
          value: 9,
          threshold: 5,
          comparison: 'above',
          level: 'stressed',
          suppressed: false,
        },
      ],
    });
    const query = knowledgeQueryOf({
      decision,
      signals: [{ signal: 'amplifiers.deploy.membership_changes_per_min', level: 'high' }],
    });
    expect(query).toStartWith('shard churn ownership membership');
    const [top] = await index.retrieve({ query, limit: 1 });
    expect(top?.source).toMatch(/^docs\/rag\/(shard-count-and-ownership-churn|deploys-and-membership-churn)\.md#/);
  });

  test('a blind cluster asks how to read unknown', async () => {
    const query = knowledgeQueryOf({ decision: quiet({ health_state: 'unknown', data_quality: 'blind' }) });
    expect(query).toBe('copilot states data quality blind unknown');
    const [top] = await index.retrieve({ query, limit: 1 });
    expect(top?.source).toMatch(/^docs\/rag\/reading-copilot-(states|evidence)\.md#/);
  });

  test('system busy asks about deletion storms', () => {
    expect(knowledgeQueryOf({ decision: quiet({ system_busy: true }) })).toContain('retention deletion storm');
  });

  test('signal paths lose their tier and unit words', () => {
    expect(signalWords('amplifiers.persistence.occ_conflicts_per_sec')).toBe('persistence occ conflicts');
    expect(signalWords('primary.state_transitions.latency_p99_ms')).toBe('state transitions latency');
  });

  test('property: order of firing rules and signals does not matter; the query is bounded and has no repeats', () => {
    const levels = fc.constantFrom('normal', 'elevated', 'high', 'critical', 'no_data', 'not_judged');
    const signal = fc.record({
      signal: fc.constantFrom(
        'primary.persistence.latency_p99_ms',
        'amplifiers.cache.hit_rate',
        'amplifiers.throttling.rate_limit_events_per_sec',
        'worker.workflow_slots_available',
      ),
      level: levels,
    });
    fc.assert(
      fc.property(decidedArb, fc.array(signal, { maxLength: 8 }), fc.integer(), ({ decision }, signals, seed) => {
        const query = knowledgeQueryOf({ decision, signals });
        const shuffled: Decision = { ...decision, firing: shuffle(decision.firing, seed) };
        expect(knowledgeQueryOf({ decision: shuffled, signals: shuffle(signals, seed + 1) })).toBe(query);
        expect(query.length).toBeLessThanOrEqual(MAX_KNOWLEDGE_QUERY_CHARS);
        const words = query
          .split(' ')
          .filter(Boolean)
          .map((w) => w.toLowerCase());
        expect(new Set(words).size).toBe(words.length);
        if (decision.firing.length > 0 || decision.health_state === 'unknown') expect(query).not.toBe('');
      }),
    );
  });
});

/** A deterministic Fisher–Yates shuffle driven by a seed (no Math.random in properties). */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed | 0 || 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = Math.abs(state) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
