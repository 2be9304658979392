import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { RULE_ADVICE } from '../../src/agents/rule-advice.ts';
import { explainWithRules } from '../../src/agents/rules-explainer.ts';
import { evaluate } from '../../src/health/index.ts';
import { engineStateArb, snapshotArb } from '../health/arbitraries.ts';
import { criticalCase } from './evidence-fixtures.ts';

describe('rule advice', () => {
  test('every rule has a worded title, a cause and at least one ranked action', () => {
    for (const [ruleId, advice] of Object.entries(RULE_ADVICE)) {
      expect(advice.title).not.toContain(ruleId);
      expect(advice.title.length).toBeGreaterThan(15);
      expect(advice.likelyCause.length).toBeGreaterThan(20);
      expect(advice.actions.length).toBeGreaterThan(0);
      for (const action of advice.actions) {
        expect(action.confidence).toBeGreaterThan(0);
        expect(action.confidence).toBeLessThanOrEqual(1);
      }
    }
  });

  test('for any decision: every issue is worded from the rulebook, and recommended actions are distinct and ranked', () => {
    fc.assert(
      fc.property(snapshotArb(), fc.option(engineStateArb, { nil: null }), (snapshot, state) => {
        const { decision } = evaluate({ snapshot, state });
        const explanation = explainWithRules({ decision, logPatterns: [] });
        for (const issue of explanation.issues) {
          const advice = new Map(Object.entries(RULE_ADVICE)).get(issue.rule_id ?? '');
          expect(issue.title).toBe(advice?.title ?? 'no advice');
          expect(issue.likely_cause).toBe(advice?.likelyCause ?? 'no advice');
        }
        const keys = explanation.recommended_actions.map(
          (a) => `${a.action_type}:${a.target_service}:${a.description}`,
        );
        expect(new Set(keys).size).toBe(keys.length);
        const confidences = explanation.recommended_actions.map((a) => a.confidence);
        expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
        // Stressed under the critical debounce must not be described as healthy progress.
        const debouncing = decision.firing.some((f) => !f.suppressed && f.level === 'critical');
        if (decision.health_state === 'stressed' && debouncing) {
          expect(explanation.summary).toContain('may be impaired');
          expect(explanation.summary).not.toContain('it is making forward progress');
        }
      }),
      { numRuns: 300 },
    );
  });

  test('two rules firing on one signal reading are counted as two but the reading is said once', () => {
    const { decision } = criticalCase();
    const finding = decision.firing.find((f) => !f.suppressed);
    if (!finding) throw new Error('the critical case fires a rule');
    // As in the live demo: stressed.stalled_task_queue and critical.dispatch_stall both read stalled_task_queues.
    const twice = {
      ...decision,
      firing: [finding, { ...finding, rule_id: `${finding.rule_id}.twin`, level: 'stressed' as const }],
    };
    const summary = explainWithRules({ decision: twice, logPatterns: [] }).summary;
    expect(summary).toContain('2 rule(s) fire');
    const reading = `${finding.signal} = `;
    expect(summary.split(reading).length - 1).toBe(1);
  });
});
