import { gzipSync } from 'node:zlib';
import { etagOf, type GzipRepresentation, readyResponses } from './http.ts';

/**
 * Content negotiation for the bodies the API serves many times (`/status`, the page's files): they are compressed
 * once, and each request only decides which of the two representations it gets.
 */

/** One `Accept-Encoding` member: a coding (a token) and its weight (`qvalue`: 0 to 1, three decimals at most). */
const MEMBER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:;\s*q\s*=\s*(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?))?$/i;

/**
 * Whether a request's `Accept-Encoding` allows gzip (RFC 9110 §12.5.3): `gzip` or its alias `x-gzip` with a weight
 * above 0, or, when neither is named, `*` with a weight above 0. A missing header gets the identity body: the RFC
 * would allow any coding, but a client that sent nothing (curl, wrk, a shell script) usually cannot decode one.
 * Members that do not parse are ignored, as the RFC asks of a recipient.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.3
 */
export function parseAcceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  let gzip: number | null = null;
  let any: number | null = null;
  for (const part of header.split(',')) {
    const match = MEMBER.exec(part.trim());
    if (!match) continue;
    const coding = (match[1] ?? '').toLowerCase();
    const weight = match[2] === undefined ? 1 : Number(match[2]);
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, weight);
    else if (coding === '*') any = Math.max(any ?? 0, weight);
  }
  return gzip !== null ? gzip > 0 : any !== null && any > 0;
}

// A client sends the same header on every request, so the answer is remembered per header text; the bound keeps a
// client that varies it from growing the map (it is then cleared and refilled).
const MEMO_LIMIT = 256;
const memo = new Map<string, boolean>();

/** `parseAcceptsGzip`, remembered per header text. */
export function acceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  let accepts = memo.get(header);
  if (accepts === undefined) {
    accepts = parseAcceptsGzip(header);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(header, accepts);
  }
  return accepts;
}

/** The two varying response headers of a body served in both representations. */
export const VARY_ENCODING = 'Origin, Accept-Encoding';

/**
 * The gzip representation of a body and its own strong ETag (a different coding is a different representation,
 * RFC 9110 §8.8.3), with its ready answers when `headers` (those of the identity body) are given.
 */
export function gzipRepresentation(input: {
  body: string | Uint8Array<ArrayBuffer>;
  headers?: Readonly<Record<string, string>>;
}): GzipRepresentation {
  const body = Uint8Array.from(gzipSync(input.body));
  const etag = etagOf(body);
  if (!input.headers) return { body, etag };
  const headers = new Headers({ ...input.headers, Vary: VARY_ENCODING, 'Content-Encoding': 'gzip', ETag: etag });
  return { body, etag, ready: readyResponses(body, headers) };
}
