import { type } from 'arktype';
import { AppError } from '../../models/index.ts';
import type { AwsCredentials } from './credentials.ts';

const StsCredentials = type({
  AccessKeyId: 'string > 0',
  SecretAccessKey: 'string > 0',
  SessionToken: 'string > 0',
  Expiration: 'string > 0',
});

const FIELDS = ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'] as const;

/**
 * Read the credentials out of an STS `AssumeRoleWithWebIdentity` XML response. Not a general XML parser: it finds the
 * one `<Credentials>` element and the four text-only children STS documents, decodes the five predefined entities and
 * numeric character references, and rejects anything ambiguous (missing, repeated or nested fields).
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 * @throws AppError CREDENTIALS_UNAVAILABLE when the body is an STS error or lacks usable credentials.
 */
export function parseStsCredentials(xml: string): AwsCredentials {
  const block = singleElement(xml, 'Credentials');
  if (block === null) {
    const code = stsErrorCode(xml);
    throw new AppError(
      'CREDENTIALS_UNAVAILABLE',
      code === null ? 'STS response has no single <Credentials> element' : `STS error ${code}`,
    );
  }
  const fields: Record<string, string> = {};
  for (const name of FIELDS) {
    const raw = singleElement(block, name);
    if (raw !== null && !raw.includes('<')) fields[name] = decodeXmlText(raw).trim();
  }
  const parsed = StsCredentials(fields);
  if (parsed instanceof type.errors) {
    throw new AppError('CREDENTIALS_UNAVAILABLE', `STS credentials incomplete: ${parsed.summary}`);
  }
  const expirationMs = Date.parse(parsed.Expiration);
  if (Number.isNaN(expirationMs)) throw new AppError('CREDENTIALS_UNAVAILABLE', 'STS Expiration is not a date');
  return {
    accessKeyId: parsed.AccessKeyId,
    secretAccessKey: parsed.SecretAccessKey,
    sessionToken: parsed.SessionToken,
    expirationMs,
  };
}

/** The `<Code>` of an STS `<ErrorResponse>` (e.g. `InvalidIdentityToken`), limited to a safe token, or null. */
export function stsErrorCode(xml: string): string | null {
  const code = singleElement(xml, 'Code');
  if (code === null) return null;
  const decoded = decodeXmlText(code).trim();
  return /^[A-Za-z0-9._-]{1,64}$/.test(decoded) ? decoded : null;
}

/** Inner text of the only `<name>…</name>` element (attributes allowed), or null if absent or repeated. */
function singleElement(xml: string, name: string): string | null {
  const pattern = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`, 'g');
  const matches = [...xml.matchAll(pattern)];
  if (matches.length !== 1) return null;
  return matches[0]?.[1] ?? null;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decode XML character data; an unknown entity is left as written rather than guessed. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const codePoint = entity[1] === 'x' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
    }
    return NAMED_ENTITIES[entity] ?? whole;
  });
}
