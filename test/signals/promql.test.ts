import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { AppError } from '../../src/models/index.ts';
import type { LabelMatcher } from '../../src/signals/promql.ts';
import { formatMatchers, parseLabelMatchers, vectorSelector } from '../../src/signals/promql.ts';

const RUNS = 1000;

const matcher: fc.Arbitrary<LabelMatcher> = fc.record({
  name: fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/),
  op: fc.constantFrom('=', '!=', '=~', '!~'),
  value: fc.string({
    unit: fc.constantFrom('a', 'Z', '0', '"', "'", '\\', '\n', '\t', '\r', ' ', ',', '}', '{', 'é', '=', '~'),
  }),
});

describe('label matchers', () => {
  test('format then parse round-trips any matcher list, with or without braces', () => {
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 5 }), fc.boolean(), (matchers, braces) => {
        const text = formatMatchers(matchers);
        expect(parseLabelMatchers(braces ? `{${text}}` : text)).toEqual(matchers);
      }),
      { numRuns: RUNS },
    );
  });

  test('arbitrary text parses or fails with AppError INVALID_INPUT, never anything else', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const matchers = parseLabelMatchers(text);
          // Whatever parsed must render into a selector that parses back to the same matchers.
          expect(parseLabelMatchers(formatMatchers(matchers))).toEqual(matchers);
        } catch (error) {
          expect(error instanceof AppError && error.code === 'INVALID_INPUT').toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test.each([
    ['cluster="prod"', [{ name: 'cluster', op: '=', value: 'prod' }]],
    [
      ' { cluster = "prod" , env=~\'eu-.*\' } ',
      [
        { name: 'cluster', op: '=', value: 'prod' },
        { name: 'env', op: '=~', value: 'eu-.*' },
      ],
    ],
    ['', []],
  ])('%p', (text, expected) => {
    expect(parseLabelMatchers(text)).toEqual(expected as LabelMatcher[]);
  });

  test.each(['up{a="b"}', 'a="b" or vector(1)', 'a=b', 'a="b', '{a="b"', 'a="b",,c="d"', '1a="b"'])(
    'rejects %p',
    (text) => {
      expect(() => parseLabelMatchers(text)).toThrow(AppError);
    },
  );

  test('an injected value cannot break out of its quotes', () => {
    const selector = vectorSelector('up', [{ name: 'cluster', op: '=', value: 'x"} or vector(1) #' }]);
    expect(selector).toBe('up{cluster="x\\"} or vector(1) #"}');
    expect(parseLabelMatchers(selector.slice(2))).toEqual([{ name: 'cluster', op: '=', value: 'x"} or vector(1) #' }]);
  });
});
