import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * An independent SigV4 verifier for test servers, written from the AWS spec with node:crypto (not the smithy signer),
 * so a signer bug shows up as a rejected request. It recomputes the signature from what actually arrived: the raw
 * path and query, the received header values and the received body bytes.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
export interface VerifierCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface VerifyInput {
  method: string;
  /** The request URL as the server saw it (path and query as received). */
  url: string;
  headers: Headers;
  body: Uint8Array;
  region: string;
  service: string;
  credentials: readonly VerifierCredentials[];
  /** Non-S3 services canonicalize the received path by escaping it once more. @default true */
  doubleEscapePath?: boolean;
}

export type VerifyResult = { ok: true; accessKeyId: string } | { ok: false; reason: string; canonicalRequest?: string };

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

export function verifySigV4(input: VerifyInput): VerifyResult {
  const authorization = input.headers.get('authorization');
  if (authorization === null) return { ok: false, reason: 'no authorization header' };
  const match = AUTH_PATTERN.exec(authorization);
  if (match === null) return { ok: false, reason: `malformed authorization: ${authorization}` };
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match;
  if (!accessKeyId || !scopeDate || !region || !service || !signedHeaderList || !signature) {
    return { ok: false, reason: 'incomplete authorization' };
  }
  const credentials = input.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (credentials === undefined) return { ok: false, reason: `unknown access key ${accessKeyId}` };
  if (region !== input.region || service !== input.service) {
    return { ok: false, reason: `scope ${region}/${service} is not ${input.region}/${input.service}` };
  }
  const amzDate = input.headers.get('x-amz-date');
  if (amzDate === null || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== scopeDate) {
    return { ok: false, reason: `bad x-amz-date ${amzDate}` };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return { ok: false, reason: 'host and x-amz-date must be signed' };
  }
  if (credentials.sessionToken !== undefined) {
    if (input.headers.get('x-amz-security-token') !== credentials.sessionToken) {
      return { ok: false, reason: 'session token missing or different' };
    }
    if (!signedHeaders.includes('x-amz-security-token')) return { ok: false, reason: 'session token not signed' };
  }
  const payloadHash = sha256Hex(input.body);
  const claimedHash = input.headers.get('x-amz-content-sha256');
  if (claimedHash !== null && claimedHash !== payloadHash) {
    return { ok: false, reason: 'x-amz-content-sha256 does not match the received body' };
  }

  const canonicalHeaders: string[] = [];
  for (const name of signedHeaders) {
    const value = input.headers.get(name);
    if (value === null) return { ok: false, reason: `signed header ${name} did not arrive` };
    canonicalHeaders.push(`${name}:${value.trim().replace(/\s+/g, ' ')}\n`);
  }
  const url = new URL(input.url);
  const canonicalRequest = [
    input.method,
    canonicalPath(url.pathname, input.doubleEscapePath ?? true),
    canonicalQuery(url.search),
    canonicalHeaders.join(''),
    signedHeaderList,
    claimedHash ?? payloadHash,
  ].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, scopeDate);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const actual = Buffer.from(signature, 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'signature mismatch', canonicalRequest };
  }
  return { ok: true, accessKeyId };
}

/** Strict RFC 3986 escaping: only unreserved characters stay literal. */
function pctEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (const byte of bytes) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Percent-decode only; `+` stays a literal plus, so a client that signed `+` as a space is caught. */
function pctDecode(text: string): string {
  return decodeURIComponent(text);
}

function canonicalPath(rawPath: string, doubleEscape: boolean): string {
  const segments = rawPath.split('/');
  const escaped = segments.map((segment) => (doubleEscape ? pctEncode(segment) : pctEncode(pctDecode(segment))));
  const path = escaped.join('/');
  return path === '' ? '/' : path;
}

function canonicalQuery(search: string): string {
  const raw = search.startsWith('?') ? search.slice(1) : search;
  if (raw === '') return '';
  const pairs = raw.split('&').map((part) => {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    return [pctEncode(pctDecode(key)), pctEncode(pctDecode(value))] as const;
  });
  pairs.sort(([ka, va], [kb, vb]) => (ka === kb ? (va < vb ? -1 : va > vb ? 1 : 0) : ka < kb ? -1 : 1));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
