import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { evaluate } from '../../src/health/index.ts';
import { DecisionPointFields, isAppError, parseOrThrow } from '../../src/models/index.ts';
import { signalsSnapshot } from './arbitraries.ts';

/** Real decisions: the engine's output over generated snapshots. */
const decision = signalsSnapshot.map((snapshot) => evaluate({ snapshot, state: null }).decision);

describe('the timeline reads only the fields it shows of a stored decision', () => {
  test('any stored decision reads back with exactly the fields a timeline point shows', () => {
    fc.assert(
      fc.property(decision, (d) => {
        const read = parseOrThrow(DecisionPointFields, JSON.parse(JSON.stringify(d)), 'decision');
        expect(read).toMatchObject({
          at: d.at,
          health_state: d.health_state,
          data_quality: d.data_quality,
          scale_band: d.scale_band,
        });
        expect(read.firing.map((f) => [f.rule_id, f.suppressed])).toEqual(
          d.firing.map((f) => [f.rule_id, f.suppressed]),
        );
      }),
      { numRuns: 200 },
    );
  });

  test('the fields it shows are still checked', () => {
    fc.assert(
      fc.property(
        decision,
        fc.constantFrom('health_state', 'data_quality', 'scale_band', 'at', 'firing'),
        fc.constantFrom<unknown>('sunny', 42, null, [{ rule_id: '' }]),
        (d, field, bad) => {
          const stored = { ...JSON.parse(JSON.stringify(d)), [field]: bad };
          let error: unknown = null;
          try {
            parseOrThrow(DecisionPointFields, stored, 'decision');
          } catch (caught) {
            error = caught;
          }
          expect(isAppError(error, 'INVALID_INPUT')).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
