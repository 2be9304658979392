import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { parseListObjectsV2 } from '../../src/clients/s3-list-xml.ts';
import { AppError } from '../../src/models/index.ts';
import { renderListBucketResult } from '../support/kb-s3-bucket.ts';

/** The client's ListObjectsV2 reader against the local server's XML rendering, and against anything else. */

const parse = (xml: string) => parseListObjectsV2({ upstream: 's3 test', xml });

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'parsed';
}

/** Characters XML must escape or that a careless parser trips on, mixed with any code point. */
const keyChar = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", ';', '#', ' ', '\t', '\n', '\r', '/', '=', '+', '&amp;', ']]>', 'é', '😀'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const key = fc.string({ unit: keyChar, minLength: 1, maxLength: 40 });
const listed = fc.record({
  key,
  etag: fc.string({ unit: keyChar, maxLength: 36 }),
  sizeBytes: fc.nat({ max: 2 ** 40 }),
});
const page = fc.record({
  bucket: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{2,20}$/),
  prefix: fc.string({ unit: keyChar, maxLength: 10 }),
  maxKeys: fc.integer({ min: 1, max: 1000 }),
  objects: fc.uniqueArray(listed, { selector: (o) => o.key, maxLength: 20 }),
  continuationToken: fc.option(fc.string({ unit: keyChar, minLength: 1, maxLength: 30 })),
  nextContinuationToken: fc.option(fc.string({ unit: keyChar, minLength: 1, maxLength: 30 })),
});

describe('parseListObjectsV2', () => {
  test('property: any page the server renders, whatever characters its keys hold, parses back to its objects', () => {
    fc.assert(
      fc.property(page, (input) => {
        expect(parse(renderListBucketResult(input))).toEqual({
          objects: input.objects,
          isTruncated: input.nextContinuationToken !== null,
          nextContinuationToken: input.nextContinuationToken,
        });
      }),
      { numRuns: 300 },
    );
  });

  test('property: every cut of a rendered page short of its end is UPSTREAM_BAD_BODY', () => {
    fc.assert(
      fc.property(page, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (input, at) => {
        const xml = renderListBucketResult(input);
        expect(codeOf(() => parse(xml.slice(0, Math.floor(xml.length * at))))).toBe('UPSTREAM_BAD_BODY');
      }),
      { numRuns: 300 },
    );
  });

  test('property: arbitrary text, and a rendered page with text spliced in, parse or fail with UPSTREAM_BAD_BODY only', () => {
    const junk = fc.string({ unit: fc.oneof(keyChar, fc.constantFrom('<Key>', '</Contents>', '<Contents>', '/>')) });
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(['parsed', 'UPSTREAM_BAD_BODY']).toContain(codeOf(() => parse(text)));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(page, fc.nat(), junk, (input, at, inserted) => {
        const xml = renderListBucketResult(input);
        const cut = at % (xml.length + 1);
        expect(['parsed', 'UPSTREAM_BAD_BODY']).toContain(
          codeOf(() => parse(xml.slice(0, cut) + inserted + xml.slice(cut))),
        );
      }),
      { numRuns: 300 },
    );
  });

  const wrap = (inner: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult>${inner}</ListBucketResult>`;

  test('entities, whitespace kept inside a key, unknown and self-closing elements, pretty-printed layout', () => {
    const xml = wrap(`
      <Name>b</Name><Prefix/>
      <IsTruncated>true</IsTruncated>
      <Contents>
        <Key> a&amp;b&lt;c&gt;&quot;d&quot;&apos;&#233;&#x1F600;&#13; </Key>
        <Owner><ID>x</ID><DisplayName>y</DisplayName></Owner>
        <ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>
      </Contents>
      <NextContinuationToken>abc+/=</NextContinuationToken>`);
    expect(parse(xml)).toEqual({
      objects: [{ key: ' a&b<c>"d"\'é😀\r ', etag: null, sizeBytes: null }],
      isTruncated: true,
      nextContinuationToken: 'abc+/=',
    });
  });

  test.each([
    ['an HTML error page', '<html>proxy error</html>'],
    ['empty', ''],
    ['an S3 <Error> document', '<Error><Code>AccessDenied</Code></Error>'],
    ['a bare &', wrap('<Contents><Key>a & b</Key></Contents>')],
    ['an unknown entity', wrap('<Contents><Key>&nbsp;</Key></Contents>')],
    ['a Contents without Key', wrap('<Contents><Size>1</Size></Contents>')],
    ['two Keys in one Contents', wrap('<Contents><Key>a</Key><Key>b</Key></Contents>')],
    ['markup inside Key', wrap('<Contents><Key>a<b/></Key></Contents>')],
    ['a Size that is not a count', wrap('<Contents><Key>a</Key><Size>-1</Size></Contents>')],
    ['IsTruncated neither true nor false', wrap('<IsTruncated>yes</IsTruncated>')],
    ['truncated without a token', wrap('<IsTruncated>true</IsTruncated>')],
    ['text beside the elements', wrap('hello<Name>b</Name>')],
    ['a second root', `${wrap('')}<ListBucketResult></ListBucketResult>`],
    ['an unclosed element', wrap('<Contents><Key>a</Key>')],
  ])('%s is UPSTREAM_BAD_BODY', (_name, xml) => {
    expect(codeOf(() => parse(xml))).toBe('UPSTREAM_BAD_BODY');
  });

  test('an empty listing is no objects, not truncated', () => {
    expect(parse(wrap('<Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>'))).toEqual({
      objects: [],
      isTruncated: false,
      nextContinuationToken: null,
    });
  });
});
