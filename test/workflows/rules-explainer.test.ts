import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { explainWithRules } from '../../src/agents/rules-explainer.ts';
import { evaluate } from '../../src/health/index.ts';
import { Explanation, parseOrThrow } from '../../src/models/index.ts';
import { engineStateArb, snapshotArb } from '../health/arbitraries.ts';
import { nullPrimary, snapshotOf } from '../health/fixtures.ts';
import { busyHealthy, persistenceFailing } from './node/fake-activities.ts';

/** The rules-only explainer: honest for every state, one issue per counting rule, valid output. */

const decisionArb = fc
  .tuple(snapshotArb(), fc.option(engineStateArb, { nil: null }))
  .map(([snapshot, state]) => evaluate({ snapshot, state }).decision);

describe('rules explainer', () => {
  test('for any engine decision: valid, honest summary, one issue per non-suppressed firing rule', () => {
    fc.assert(
      fc.property(decisionArb, (decision) => {
        const explanation = explainWithRules({ decision, logPatterns: [] });
        parseOrThrow(Explanation, explanation, 'explanation');
        const counting = decision.firing.filter((finding) => !finding.suppressed);
        expect(explanation.issues.map((issue) => issue.rule_id)).toEqual(counting.map((finding) => finding.rule_id));
        for (const [index, issue] of explanation.issues.entries()) {
          expect(issue.severity).toBe(counting[index]?.level === 'critical' ? 'critical' : 'warning');
          expect(issue.related_signals).toEqual([counting[index]?.signal ?? '']);
        }
        const claimsAllWell = /all primary signals are within/.test(explanation.summary);
        expect(claimsAllWell).toBe(decision.health_state === 'happy' && decision.data_quality === 'complete');
        expect(explanation.summary).toContain(decision.health_state);
        if (decision.health_state !== 'happy') expect(explanation.summary).not.toMatch(/normal|is happy|is healthy/i);
      }),
      { numRuns: 500 },
    );
  });

  test.each([
    ['happy', busyHealthy(), null],
    ['unknown', nullPrimary(), null],
  ] as const)('%s: the summary names the state and never overstates', (state, primary) => {
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: null });
    const explanation = explainWithRules({ decision, logPatterns: [] });
    expect(decision.health_state).toBe(state);
    expect(explanation.summary).toContain(state);
  });

  test('a firing critical rule becomes a critical issue with an action and related logs', () => {
    let state = null;
    let decision = evaluate({ snapshot: snapshotOf(persistenceFailing()), state }).decision;
    for (let cycle = 0; cycle < 3; cycle += 1) {
      const result = evaluate({ snapshot: snapshotOf(persistenceFailing()), state });
      state = result.state;
      decision = result.decision;
    }
    const explanation = explainWithRules({
      decision,
      logPatterns: [
        {
          signature_id: 'persistence_unavailable',
          pattern: 'persistence unavailable',
          service: 'persistence',
          count: 7,
          sample_message: null,
          window_start: '2026-11-27T12:00:00.000Z',
          window_end: '2026-11-27T12:00:30.000Z',
        },
      ],
    });
    expect(decision.health_state).toBe('critical');
    expect(explanation.issues[0]).toMatchObject({
      severity: 'critical',
      rule_id: 'critical.persistence_errors',
      related_signals: ['primary.persistence.error_rate_per_sec'],
      related_logs: ['persistence_unavailable (persistence) x7'],
    });
    expect(explanation.recommended_actions[0]).toMatchObject({
      action_type: 'investigate',
      target_service: 'persistence',
    });
  });
});
