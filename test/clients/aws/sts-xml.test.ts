import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { decodeXmlText, parseStsCredentials } from '../../../src/clients/aws/sts-xml.ts';
import { AppError } from '../../../src/models/index.ts';

const field = (name: string, value: string) => `<${name}>${value}</${name}>`;
const credentialsXml = (inner: string) =>
  `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>${inner}</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;
const ALL = [
  field('AccessKeyId', 'ASIAX'),
  field('SecretAccessKey', 's'),
  field('SessionToken', 't'),
  field('Expiration', '2026-05-01T13:00:00Z'),
];

describe('parseStsCredentials', () => {
  test('reads the four fields in any order, with whitespace around values', () => {
    const xml = credentialsXml(`\n  ${[...ALL].reverse().join('\n  ')}\n`);
    expect(parseStsCredentials(xml)).toEqual({
      accessKeyId: 'ASIAX',
      secretAccessKey: 's',
      sessionToken: 't',
      expirationMs: Date.parse('2026-05-01T13:00:00Z'),
    });
  });

  test.each([
    ['a missing field', credentialsXml(ALL.slice(1).join(''))],
    ['a repeated field', credentialsXml([...ALL, field('AccessKeyId', 'other')].join(''))],
    ['a nested element instead of text', credentialsXml([field('AccessKeyId', '<b>x</b>'), ...ALL.slice(1)].join(''))],
    ['two Credentials blocks', credentialsXml(ALL.join('')) + credentialsXml(ALL.join(''))],
    ['a bad Expiration', credentialsXml([...ALL.slice(0, 3), field('Expiration', 'soon')].join(''))],
    ['HTML', '<html><body>Service Unavailable</body></html>'],
  ])('%s → CREDENTIALS_UNAVAILABLE', (_name, xml) => {
    expect(() => parseStsCredentials(xml)).toThrow(AppError);
  });

  test('decodes predefined entities and character references', () => {
    expect(decodeXmlText('a&amp;b&lt;c&gt;&quot;&apos;&#65;&#x42;&unknown;')).toBe(`a&b<c>"'AB&unknown;`);
  });

  test('never throws anything but AppError, whatever the body', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom('<Credentials>', '</Credentials>', '<Code>', '</Code>', '&amp;', '&#x110000;', '&#'),
      fc.constantFrom(...ALL),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        try {
          const creds = parseStsCredentials(pieces.join(''));
          expect(creds.accessKeyId.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
