import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { parseLokiBody, parseLokiPayload } from '../../src/clients/loki.ts';
import { AppError } from '../../src/models/index.ts';

const ALLOWED = new Set(['UPSTREAM_BAD_BODY', 'UPSTREAM_QUERY_ERROR']);

function outcome(run: () => unknown): 'ok' | string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.code;
  }
}

const labels = fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 });
const nsTimestamp = fc.bigInt({ min: 0n, max: 9_223_372_036_854_775_807n }).map(String);
const streamsBody = fc.array(
  fc.record({
    stream: labels,
    values: fc.array(fc.tuple(nsTimestamp, fc.string({ maxLength: 40 })), { maxLength: 4 }),
  }),
  { maxLength: 3 },
);

describe('Loki response parser', () => {
  test('streams keep the exact ns string and derive epoch ms', () => {
    const result = parseLokiBody(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'streams',
          result: [{ stream: { service_name: 'history' }, values: [['1730000000123456789', 'line', { trace: 'x' }]] }],
          stats: { summary: {} },
        },
      }),
    );
    expect(result).toEqual({
      resultType: 'streams',
      streams: [
        {
          labels: { service_name: 'history' },
          entries: [{ timestampNs: '1730000000123456789', timestampMs: 1730000000123, line: 'line' }],
        },
      ],
    });
  });

  test('matrix and vector values parse Loki strings, including NaN and Inf', () => {
    const matrix = parseLokiPayload({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { level: 'error' },
            values: [
              [1730000000, '12'],
              [1730000300.5, '+Inf'],
            ],
          },
        ],
      },
    });
    expect(matrix).toEqual({
      resultType: 'matrix',
      series: [
        {
          metric: { level: 'error' },
          points: [
            { timestampMs: 1730000000000, value: 12 },
            { timestampMs: 1730000300500, value: Number.POSITIVE_INFINITY },
          ],
        },
      ],
    });
    const vector = parseLokiPayload({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1730000000, 'NaN'] }] },
    });
    expect(vector).toEqual({
      resultType: 'vector',
      series: [{ metric: {}, timestampMs: 1730000000000, value: Number.NaN }],
    });
  });

  test.each([
    ['truncated JSON', '{"status":"success","data":{"resultType":"str', 'UPSTREAM_BAD_BODY'],
    ['HTML', '<!doctype html><title>502</title>', 'UPSTREAM_BAD_BODY'],
    ['empty', '', 'UPSTREAM_BAD_BODY'],
    ['status error', '{"status":"error","errorType":"bad_data","error":"parse error"}', 'UPSTREAM_QUERY_ERROR'],
    [
      'unknown result type',
      '{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}',
      'UPSTREAM_BAD_BODY',
    ],
    [
      'ms instead of ns',
      '{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["17.3","x"]]}]}}',
      'UPSTREAM_BAD_BODY',
    ],
  ])('%s', (_name, body, code) => {
    expect(outcome(() => parseLokiBody(body))).toBe(code);
  });

  test('property: any input yields a result or a typed error, never another throw', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = outcome(() => parseLokiPayload(value));
        expect(result === 'ok' || ALLOWED.has(result)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = outcome(() => parseLokiBody(text));
        expect(result === 'ok' || ALLOWED.has(result)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: near-valid envelopes (mutated shapes) never escape as untyped errors', () => {
    const anyResult = fc.oneof(streamsBody, fc.anything(), fc.array(fc.anything(), { maxLength: 3 }));
    const envelope = fc.record(
      {
        status: fc.oneof(fc.constant('success'), fc.constant('error'), fc.anything()),
        data: fc.record(
          { resultType: fc.constantFrom('streams', 'matrix', 'vector', 'scalar', 'x'), result: anyResult },
          { requiredKeys: [] },
        ),
        error: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(envelope, (value) => {
        const result = outcome(() => parseLokiBody(JSON.stringify(value) ?? ''));
        expect(result === 'ok' || ALLOWED.has(result)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: valid stream bodies round-trip every entry', () => {
    fc.assert(
      fc.property(streamsBody, (result) => {
        const parsed = parseLokiPayload({ status: 'success', data: { resultType: 'streams', result } });
        if (parsed.resultType !== 'streams') throw new Error('wrong type');
        expect(parsed.streams.map((s) => s.entries.map((e) => [e.timestampNs, e.line]))).toEqual(
          result.map((s) => s.values),
        );
        for (const entry of parsed.streams.flatMap((s) => s.entries)) {
          expect(entry.timestampMs).toBe(Number(BigInt(entry.timestampNs) / 1_000_000n));
        }
      }),
      { numRuns: 300 },
    );
  });
});
