import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { EvidenceBundle } from '../../src/agents/evidence.ts';
import { buildEvidence } from '../../src/agents/evidence.ts';
import type { ViolationKind } from '../../src/agents/verify.ts';
import { verifyAnswer } from '../../src/agents/verify.ts';
import type { ModelAssessment } from '../../src/models/index.ts';
import { criticalCase, decidedArb, logPattern, rulesOnly, windowOf } from './evidence-fixtures.ts';

function criticalEvidence(): EvidenceBundle {
  const { decision, snapshot, overrides } = criticalCase();
  const logs = [logPattern('persistence_unavailable', 'history', 12)];
  return buildEvidence({
    decision,
    snapshot,
    overrides,
    window: windowOf(decision, [1, 2, 4, 8]),
    logPatterns: logs,
    rulesAssessment: rulesOnly(decision, logs),
    knowledge: [{ source: 'docs/rag/persistence-latency.md', text: 'Persistence errors stall history.' }],
  });
}

function fail(): never {
  throw new Error('fixture answer lost an element');
}

/** A grounded answer for the Critical persistence case; each test breaks one thing. */
function goodAnswer(): ModelAssessment {
  return {
    health_state: 'critical',
    summary: 'The cluster is critical: persistence errors run at 80 per second, above the limit of 50.',
    explanation: 'History cannot persist its writes (rule:critical.persistence_errors), so progress is impaired.',
    contributing_factors: [
      {
        rank: 1,
        service: 'persistence',
        description: 'Persistence errors at 80/s (threshold 50).',
        evidence_ids: ['rule:critical.persistence_errors', 'signal:persistence.error_rate_per_sec'],
      },
    ],
    issues: [
      {
        severity: 'critical',
        service: 'persistence',
        title: 'Persistence is failing',
        description: '12 persistence_unavailable log lines in the window.',
        evidence_ids: ['log:persistence_unavailable:history'],
      },
    ],
    suggested_actions: [
      {
        action_type: 'investigate',
        target_service: 'persistence',
        description: 'Check the store error types and OCC conflicts.',
        parameters: {},
        risk_level: 'low',
        confidence: 0.7,
      },
    ],
    knowledge_used: ['kb:1'],
  };
}

describe('verification', () => {
  test('a grounded answer passes', () => {
    expect(verifyAnswer({ answer: goodAnswer(), evidence: criticalEvidence() })).toEqual({ ok: true, violations: [] });
  });

  test.each<[string, (a: ModelAssessment) => void, ViolationKind]>([
    [
      'a different stated state',
      (a) => {
        a.health_state = 'stressed';
      },
      'state_mismatch',
    ],
    [
      'prose that calls it healthy',
      (a) => {
        a.summary = 'The cluster is healthy overall.';
      },
      'state_mismatch',
    ],
    [
      'no critical issue on a critical cluster',
      (a) => {
        for (const i of a.issues) i.severity = 'warning';
      },
      'severity_contradiction',
    ],
    [
      'an invented count',
      (a) => {
        a.summary = 'There were 37 failed workflows.';
      },
      'unknown_number',
    ],
    [
      'an invented threshold',
      (a) => {
        a.explanation = 'Above the 200 ms target.';
      },
      'unknown_number',
    ],
    [
      'a blamed healthy service',
      (a) => {
        a.issues.push({ ...(a.issues[0] ?? fail()), service: 'frontend' });
      },
      'unsupported_blame',
    ],
    [
      'a cited id that does not exist',
      (a) => {
        (a.contributing_factors[0] ?? fail()).evidence_ids.push('rule:stressed.made_up');
      },
      'unknown_citation',
    ],
    [
      'an inline id that does not exist',
      (a) => {
        a.explanation = 'See signal:frontend.nonexistent for details.';
      },
      'unknown_citation',
    ],
    [
      'an unknown knowledge id',
      (a) => {
        a.knowledge_used = ['kb:7'];
      },
      'unknown_citation',
    ],
    [
      'an invented number in an action parameter',
      (a) => {
        (a.suggested_actions[0] ?? fail()).parameters = { replicas: 37 };
      },
      'unknown_number',
    ],
    [
      'an invented negative number in an action parameter',
      (a) => {
        (a.suggested_actions[0] ?? fail()).parameters = { delta: -23 };
      },
      'unknown_number',
    ],
    [
      'an action on a made-up target',
      (a) => {
        (a.suggested_actions[0] ?? fail()).target_service = 'firing';
      },
      'unknown_action_target',
    ],
  ])('rejects %s', (_name, mutate, kind) => {
    const answer = goodAnswer();
    mutate(answer);
    const result = verifyAnswer({ answer, evidence: criticalEvidence() });
    expect(result.ok).toBe(false);
    expect(result.violations.map((v) => v.kind)).toContain(kind);
  });

  test('numbers may be rounded, written as percentages or converted between ms and s', () => {
    const answer = goodAnswer();
    answer.summary = 'The cluster is critical: errors at 80.0/s; p99 persistence latency 0.18 s (180 ms).';
    const result = verifyAnswer({ answer, evidence: criticalEvidence() });
    expect(result.violations).toEqual([]);
  });

  test('numeric action parameters that are evidence numbers pass; strings and booleans are not numbers', () => {
    const answer = goodAnswer();
    (answer.suggested_actions[0] ?? fail()).parameters = { errors_per_sec: 80, threshold: 50, dry_run: true };
    expect(verifyAnswer({ answer, evidence: criticalEvidence() })).toEqual({ ok: true, violations: [] });
  });

  /** Evidence numbers read independently of the verifier: every numeric leaf of the bundle's JSON. */
  function numericLeaves(bundle: EvidenceBundle): number[] {
    const out: number[] = [];
    JSON.parse(JSON.stringify(bundle), (_key, value) => {
      if (typeof value === 'number') out.push(value);
      return value;
    });
    return out;
  }

  test('property: a number far from every evidence number is rejected, wherever it appears', () => {
    fc.assert(
      fc.property(
        decidedArb,
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.constantFrom('summary', 'explanation', 'issue', 'action', 'parameter'),
        ({ decision, snapshot, overrides }, raw, where) => {
          const bundle = buildEvidence({
            decision,
            snapshot,
            overrides,
            window: [],
            logPatterns: [],
            rulesAssessment: rulesOnly(decision),
          });
          const stated = Number(raw.toFixed(2));
          const scales = [1, 100, 1 / 1000, 1000];
          const far = [...numericLeaves(bundle), 0, 1, 2, 3, 4].every((e) =>
            scales.every((k) => Math.abs(Math.abs(e * k) - stated) > Math.max(1, Math.abs(e * k) * 0.05)),
          );
          fc.pre(far);
          const answer: ModelAssessment = {
            health_state: decision.health_state,
            summary: 'Summary.',
            explanation: '',
            contributing_factors: [],
            issues: [],
            suggested_actions: [],
            knowledge_used: [],
          };
          const text = `The value was ${stated.toFixed(2)} here.`;
          if (where === 'summary') answer.summary = text;
          if (where === 'explanation') answer.explanation = text;
          if (where === 'issue') {
            answer.issues = [
              { severity: 'warning', service: 'copilot', title: 'T', description: text, evidence_ids: [] },
            ];
          }
          if (where === 'action' || where === 'parameter') {
            answer.suggested_actions = [
              {
                action_type: 'alert',
                target_service: 'copilot',
                description: where === 'action' ? text : 'Raise it.',
                parameters: where === 'parameter' ? { value: stated } : {},
                risk_level: 'low',
                confidence: 0.5,
              },
            ];
          }
          const kinds = verifyAnswer({ answer, evidence: bundle }).violations.map((v) => v.kind);
          expect(kinds).toContain('unknown_number');
        },
      ),
      { numRuns: 120 },
    );
  });

  test('property: every evidence number, as stated to two decimals, is accepted', () => {
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
        const stated = numericLeaves(bundle)
          .filter((n) => n >= 0 && n !== bundle.token_budget)
          .map((n) => n.toFixed(2));
        const answer: ModelAssessment = {
          health_state: decision.health_state,
          summary: `Values: ${stated.join(', ')}.`,
          explanation: '',
          contributing_factors: [],
          issues: [],
          suggested_actions: [],
          knowledge_used: [],
        };
        const numberViolations = verifyAnswer({ answer, evidence: bundle }).violations.filter(
          (v) => v.kind === 'unknown_number',
        );
        expect(numberViolations).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
