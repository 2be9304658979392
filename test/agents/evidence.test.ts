import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { buildEvidence, EVIDENCE_TOKEN_BUDGET, estimateTokens, evidenceIds } from '../../src/agents/evidence.ts';
import { evidenceNumbers } from '../../src/agents/verify.ts';
import { evaluate } from '../../src/health/index.ts';
import { snapshotOf } from '../health/fixtures.ts';
import { logPattern as logPatternArb } from '../models/arbitraries.ts';
import { criticalCase, decidedArb, logPattern, persistenceFailing, rulesOnly, windowOf } from './evidence-fixtures.ts';

describe('evidence bundle', () => {
  test('a Critical decision: state, firing rule with value and threshold, classified primaries, ids', () => {
    const { decision, snapshot, overrides } = criticalCase();
    expect(decision.health_state).toBe('critical');
    const logs = [logPattern('persistence_unavailable', 'history', 12), logPattern('shard_lost', 'history', 3)];
    const bundle = buildEvidence({
      decision,
      snapshot,
      overrides,
      window: windowOf(decision, [1, 2, 4, 8, 16, 32]),
      logPatterns: logs,
      rulesAssessment: rulesOnly(decision, logs),
      knowledge: [{ source: 'docs/rag/persistence-latency.md', text: 'Persistence errors stall history.' }],
    });
    expect(bundle.decision).toMatchObject({ id: 'decision', health_state: 'critical', data_quality: 'complete' });
    expect(bundle.firing).toContainEqual(
      expect.objectContaining({
        id: 'rule:critical.persistence_errors',
        service: 'persistence',
        value: 80,
        threshold: 50,
        level: 'critical',
      }),
    );
    const errors = bundle.primary.find((item) => item.signal === 'primary.persistence.error_rate_per_sec');
    expect(errors).toEqual({
      id: 'signal:persistence.error_rate_per_sec',
      signal: 'primary.persistence.error_rate_per_sec',
      service: 'persistence',
      value: 80,
      level: 'critical',
      threshold: 50,
    });
    const throughput = bundle.primary.find((item) => item.signal === 'primary.state_transitions.throughput_per_sec');
    expect(throughput?.level).toBe('normal');
    expect(bundle.trends).toContainEqual({
      id: 'trend:backlog_age_sec',
      metric: 'backlog_age_sec',
      first: 1,
      last: 32,
      cycles: 6,
      direction: 'worsening',
    });
    expect(bundle.log_patterns.map((item) => [item.id, item.count])).toEqual([
      ['log:persistence_unavailable:history', 12],
      ['log:shard_lost:history', 3],
    ]);
    expect(bundle.knowledge).toEqual([
      { id: 'kb:1', source: 'docs/rag/persistence-latency.md', text: 'Persistence errors stall history.' },
    ]);
    const ids = evidenceIds(bundle);
    for (const id of ['decision', 'rules', 'bottleneck', 'kb:1', 'trend:states', 'rules:issue:1']) {
      expect(ids.has(id)).toBe(true);
    }
  });

  test('a null primary value is no_data, never normal', () => {
    fc.assert(
      fc.property(decidedArb, ({ decision, snapshot, overrides }) => {
        const bundle = buildEvidence({
          decision,
          snapshot,
          overrides,
          window: [],
          logPatterns: [],
          rulesAssessment: rulesOnly(decision),
        });
        for (const item of bundle.primary) expect(item.value === null).toBe(item.level === 'no_data');
      }),
      { numRuns: 200 },
    );
  });

  test('deterministic, bounded, unique ids, and independent of input order', () => {
    const knowledgeArb = fc.array(
      fc.record({ source: fc.string({ maxLength: 400 }), text: fc.string({ maxLength: 5000 }) }),
      { maxLength: 9 },
    );
    fc.assert(
      fc.property(
        decidedArb,
        fc.array(logPatternArb, { maxLength: 40 }),
        knowledgeArb,
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 10 }),
        ({ decision, snapshot, overrides }, logs, knowledge, backlogs) => {
          const input = {
            decision,
            snapshot,
            overrides,
            window: windowOf(decision, backlogs),
            logPatterns: logs,
            rulesAssessment: rulesOnly(decision, logs),
            knowledge,
          };
          const bundle = buildEvidence(input);
          expect(estimateTokens(bundle)).toBeLessThanOrEqual(EVIDENCE_TOKEN_BUDGET);
          expect(JSON.stringify(buildEvidence(input))).toBe(JSON.stringify(bundle));
          const reordered = buildEvidence({
            ...input,
            decision: { ...decision, firing: [...decision.firing].reverse() },
            logPatterns: [...logs].reverse(),
            window: [...input.window].reverse(),
          });
          expect(reordered.firing).toEqual(bundle.firing);
          expect(reordered.trends).toEqual(bundle.trends);
          expect(reordered.log_patterns.map((item) => item.count)).toEqual(bundle.log_patterns.map((i) => i.count));
          const all = [
            ...bundle.firing,
            ...bundle.primary,
            ...bundle.amplifiers,
            ...bundle.worker,
            ...bundle.trends,
            ...bundle.log_patterns,
            ...bundle.services,
            ...bundle.knowledge,
          ].map((item) => item.id);
          expect(new Set(all).size).toBe(all.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  test("the cluster's threshold overrides set the evidence's thresholds and levels, as they set the decision's", () => {
    // Error limit raised to 100/s (80/s no longer fires), latency limit raised to 1000 ms (180 ms is far below it).
    const overrides = {
      all: {
        critical: { persistence_error_rate_max_per_sec: 100 },
        stressed: { persistence_latency_p99_max_ms: 1000 },
      },
    };
    const snapshot = snapshotOf(persistenceFailing());
    const decision = evaluate({ snapshot, state: null, overrides }).decision;
    expect(decision.firing.map((finding) => finding.rule_id)).not.toContain('critical.persistence_errors');
    const bundle = buildEvidence({
      decision,
      snapshot,
      overrides,
      window: [],
      logPatterns: [],
      rulesAssessment: rulesOnly(decision),
    });
    const persistence = bundle.primary.filter((item) => item.service === 'persistence' && item.threshold !== null);
    expect(persistence.map(({ signal, level, threshold }) => ({ signal, level, threshold }))).toEqual([
      { signal: 'primary.persistence.latency_p99_ms', level: 'normal', threshold: 1000 },
      { signal: 'primary.persistence.error_rate_per_sec', level: 'elevated', threshold: 100 },
    ]);
    // The band's own limit (50/s), which the decision did not use, is not evidence the verifier would accept.
    expect(evidenceNumbers(bundle)).not.toContain(50);
  });

  test('oversized knowledge is cut first, and the cut is recorded', () => {
    const { decision, snapshot, overrides } = criticalCase();
    const huge = Array.from({ length: 5 }, (_, index) => ({ source: `doc-${index}`, text: 'x'.repeat(5000) }));
    const noisy = Array.from({ length: 40 }, (_, index) => logPattern(`sig_${index}`, 'history', index + 1));
    const bundle = buildEvidence({
      decision,
      snapshot: {
        ...snapshot,
        amplifiers: JSON.parse(JSON.stringify(snapshot.amplifiers), (_key, value) => (value === null ? 1.5 : value)),
      },
      overrides,
      window: [],
      logPatterns: noisy,
      rulesAssessment: rulesOnly(decision, noisy),
      knowledge: huge,
    });
    expect(estimateTokens(bundle)).toBeLessThanOrEqual(EVIDENCE_TOKEN_BUDGET);
    expect(bundle.log_patterns).toHaveLength(10);
    expect(bundle.firing.length).toBeGreaterThan(0);
    expect(bundle.omitted[0]).toBe('knowledge');
  });
});
