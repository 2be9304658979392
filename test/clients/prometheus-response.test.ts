import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  formatSampleValue,
  parseEnvelope,
  parseInstantData,
  parseRangeData,
  parseSampleValue,
  prometheusError,
} from '../../src/clients/prometheus-response.ts';
import { AppError } from '../../src/models/index.ts';

const RUNS = 500;

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b;
}

describe('sample values', () => {
  test.each([
    ['NaN', Number.NaN],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['-Inf', Number.NEGATIVE_INFINITY],
    ['0', 0],
    ['1.5e+06', 1.5e6],
    ['-0.25', -0.25],
  ])('%s parses', (text, expected) => {
    expect(sameNumber(parseSampleValue(text), expected)).toBe(true);
  });

  test.each(['', ' 1', 'abc', '0x10', 'Infinity', '1,5'])('%p is rejected as a bad body', (text) => {
    expect(() => parseSampleValue(text)).toThrow(AppError);
  });

  test('every double round-trips through format and parse', () => {
    fc.assert(
      fc.property(fc.double(), (value) => sameNumber(parseSampleValue(formatSampleValue(value)), value)),
      { numRuns: RUNS },
    );
  });
});

const arbitraryBody = fc.oneof(
  fc.string(),
  fc.json(),
  fc.anything().map((value) => {
    try {
      return JSON.stringify(value) ?? 'undefined';
    } catch {
      return 'cyclic';
    }
  }),
  fc
    .record({
      status: fc.constantFrom('success', 'error', 'other'),
      data: fc.oneof(
        fc.anything(),
        fc.record({
          resultType: fc.constantFrom('vector', 'matrix', 'scalar', 'string'),
          result: fc.oneof(
            fc.anything(),
            fc.array(
              fc.record({
                metric: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
                value: fc.tuple(fc.double(), fc.oneof(fc.string(), fc.constantFrom('NaN', '+Inf', '1'))),
                values: fc.array(fc.tuple(fc.double(), fc.constantFrom('2', 'NaN', 'x'))),
              }),
            ),
          ),
        }),
      ),
      warnings: fc.oneof(fc.array(fc.string()), fc.anything()),
      errorType: fc.constantFrom('bad_data', 'execution', 'timeout', 'internal'),
    })
    .map((value) => JSON.stringify(value)),
);

describe('response parsing never throws anything but AppError', () => {
  test('instant and range bodies', () => {
    fc.assert(
      fc.property(arbitraryBody, fc.constantFrom(200, 400, 422, 429, 500, 503), (text, status) => {
        for (const parseData of [parseInstantData, parseRangeData]) {
          try {
            const { data, warnings } = parseEnvelope({ status, text });
            const result = parseData(data, warnings);
            expect(typeof result).toBe('object');
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('envelope', () => {
  test('a vector with NaN, warnings and infos', () => {
    const text = JSON.stringify({
      status: 'success',
      warnings: ['w'],
      infos: ['i'],
      data: {
        resultType: 'vector',
        result: [
          { metric: { job: 'a' }, value: [1730000000.123, '0.25'] },
          { metric: {}, value: [1730000000.123, 'NaN'] },
          { metric: { native: 'histogram' }, histogram: [1, {}] },
        ],
      },
    });
    const { data, warnings } = parseEnvelope({ status: 200, text });
    const result = parseInstantData(data, warnings);
    expect(result.resultType).toBe('vector');
    if (result.resultType !== 'vector') return;
    expect(result.warnings).toEqual(['w', 'i']);
    expect(result.series.length).toBe(2);
    expect(result.series[0]).toEqual({ metric: { job: 'a' }, value: 0.25, timestampMs: 1730000000123 });
    expect(Number.isNaN(result.series[1]?.value)).toBe(true);
  });

  test.each([
    [400, 'bad_data', 'UPSTREAM_QUERY_ERROR'],
    [422, 'execution', 'UPSTREAM_QUERY_ERROR'],
    [503, 'timeout', 'UPSTREAM_TIMEOUT'],
    [500, 'internal', 'UPSTREAM_STATUS'],
    [401, undefined, 'AUTH_FAILED'],
    [403, undefined, 'AUTH_FAILED'],
    [429, undefined, 'UPSTREAM_THROTTLED'],
  ] as const)('status %d errorType %p maps to %s', (status, errorType, code) => {
    const error = prometheusError(errorType === undefined ? { status } : { status, errorType });
    expect(error.code).toBe(code);
  });

  test('bad_data is permanent, throttling is not', () => {
    expect(prometheusError({ status: 400, errorType: 'bad_data' }).permanent).toBe(true);
    expect(prometheusError({ status: 429 }).permanent).toBe(false);
  });
});
