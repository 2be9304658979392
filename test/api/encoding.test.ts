import { expect, test } from 'bun:test';
import fc from 'fast-check';
import { acceptsGzip, parseAcceptsGzip } from '../../src/api/encoding.ts';

/** Accept-Encoding is outside data: every header text must give an answer, and the answer must follow RFC 9110. */

test.each([
  ['gzip', true],
  ['GZIP', true],
  ['x-gzip', true],
  ['gzip, deflate, br, zstd', true],
  ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
  ['gzip;q=0.001', true],
  ['gzip; q=0', false],
  ['gzip;q=0.000', false],
  ['deflate, br', false],
  ['identity', false],
  ['*', true],
  ['*;q=0', false],
  ['*, gzip;q=0', false],
  ['gzip;q=0, *', false],
  ['', false],
  ['gzip;q=2', false],
  [',,, gzip ,', true],
  ['gzip;level=9', false],
] as const)('Accept-Encoding %p allows gzip: %p', (header, expected) => {
  expect(parseAcceptsGzip(header)).toBe(expected);
  expect(acceptsGzip(header)).toBe(expected);
});

test('a missing header gets the identity body', () => {
  expect(acceptsGzip(null)).toBe(false);
});

const coding = fc.constantFrom('gzip', 'x-gzip', 'GZip', 'br', 'deflate', 'zstd', 'identity', '*', 'compress');
const weight = fc.option(fc.constantFrom('0', '0.0', '0.5', '1', '1.000', '0.001'), { nil: undefined });
const member = fc.record({ coding, weight, space: fc.constantFrom('', ' ', '  ') });
const render = (m: { coding: string; weight: string | undefined; space: string }) =>
  `${m.space}${m.coding}${m.weight === undefined ? '' : `;${m.space}q=${m.weight}`}${m.space}`;

test('gzip is allowed exactly when its best weight is above 0, or, unnamed, when the wildcard allows it', () => {
  fc.assert(
    fc.property(fc.array(member, { maxLength: 8 }), (members) => {
      const weightOf = (m: { weight: string | undefined }) => (m.weight === undefined ? 1 : Number(m.weight));
      const gzips = members.filter((m) => ['gzip', 'x-gzip'].includes(m.coding.toLowerCase()));
      const stars = members.filter((m) => m.coding === '*');
      const expected =
        gzips.length > 0
          ? Math.max(...gzips.map(weightOf)) > 0
          : stars.length > 0 && Math.max(...stars.map(weightOf)) > 0;
      const header = members.map(render).join(',');
      expect(parseAcceptsGzip(header)).toBe(expected);
      expect(acceptsGzip(header)).toBe(expected);
    }),
    { numRuns: 500 },
  );
});

test('any header text gets an answer, and the remembered answer is the parsed one', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (header) => {
      expect(acceptsGzip(header)).toBe(parseAcceptsGzip(header));
    }),
    { numRuns: 1000 },
  );
});
