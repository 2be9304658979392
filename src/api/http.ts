import { createHash } from 'node:crypto';
import type { ApiError, ApiErrorCode, ErrorCode } from '../models/index.ts';
import { AppError } from '../models/index.ts';

/** What a handler returns; the app turns it into a Response (JSON, ETag, CORS, security headers, metrics). */
export interface ApiResult {
  status: number;
  body: unknown;
  /** Offer an ETag and answer If-None-Match with 304 (stable bodies only). */
  conditional?: boolean;
  headers?: Record<string, string>;
  /**
   * Already-serialized body with its content type (the Prometheus exposition, the page, a memoized status);
   * `etag`, when given, is that body's ETag computed once instead of on every request. Bytes are sent as they are:
   * a body served many times is encoded to UTF-8 once, not once per response.
   */
  text?: {
    body: string | Uint8Array<ArrayBuffer>;
    contentType: string;
    etag?: string;
    /**
     * The 200 and 304 of this body for a request that adds no header of its own (no `Origin`), built once with
     * every header (security, `Vary`, type, ETag) and answered with `clone()`: that shares the bytes and copies the
     * headers natively (bench/api.ts: ~13% over a new Response with a ready Headers object).
     */
    ready?: ReadyResponses;
    /**
     * The same body gzip-compressed, computed once with its own ETag (and ready answers with `Content-Encoding` and
     * `Vary`): sent to a client whose Accept-Encoding allows gzip, as Grafana's Go client and every browser do. With
     * it present both representations carry `Vary: Accept-Encoding`.
     */
    gzip?: GzipRepresentation;
  };
}

export interface GzipRepresentation {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  ready?: ReadyResponses;
}

/** A memoized body's two answers, never sent themselves: each request gets a clone. */
export interface ReadyResponses {
  ok: Response;
  notModified: Response;
}

export function readyResponses(body: Uint8Array<ArrayBuffer>, headers: Headers): ReadyResponses {
  return {
    ok: new Response(body, { status: 200, headers }),
    notModified: new Response(null, { status: 304, headers }),
  };
}

export function ok(body: unknown, conditional = true): ApiResult {
  return { status: 200, body, conditional };
}

/** An error result with the API's one error shape. */
export function failure(input: {
  status: number;
  code: ApiErrorCode;
  message: string;
  problems?: Readonly<Record<string, readonly string[]>>;
  headers?: Record<string, string>;
}): ApiResult {
  const error: ApiError['error'] = { code: input.code, message: input.message };
  if (input.problems) {
    error.problems = Object.fromEntries(Object.entries(input.problems).map(([path, list]) => [path, [...list]]));
  }
  return { status: input.status, body: { error }, ...(input.headers ? { headers: input.headers } : {}) };
}

/** Shorthand for the most common failure, bad input. */
export function invalid(message: string, problems?: Readonly<Record<string, readonly string[]>>): ApiResult {
  return failure({ status: 400, code: 'INVALID_INPUT', message, ...(problems ? { problems } : {}) });
}

/**
 * The API edge's one mapping of error codes to HTTP statuses and API codes. Codes a request cannot cause (upstream,
 * config) mean a fault of ours and become a generic 500 whose text says nothing internal.
 */
function edgeOf(code: ErrorCode): { status: number; code: ApiErrorCode } | null {
  switch (code) {
    case 'INVALID_INPUT':
      return { status: 400, code };
    case 'NOT_FOUND':
      return { status: 404, code };
    case 'AUTH_FAILED':
      // The request's own credentials are checked before any store call; reaching here means the store refused ours.
      return { status: 503, code: 'STORE_UNAVAILABLE' };
    case 'STORE_UNAVAILABLE':
    case 'STORE_SCHEMA':
    case 'STORE_CONFLICT':
      return { status: 503, code };
    case 'STORE_LIMIT':
    case 'CONFIG_INVALID':
    case 'CANCELLED':
    case 'UPSTREAM_UNREACHABLE':
    case 'UPSTREAM_TIMEOUT':
    case 'UPSTREAM_THROTTLED':
    case 'UPSTREAM_STATUS':
    case 'UPSTREAM_BAD_BODY':
    case 'UPSTREAM_QUERY_ERROR':
    case 'CREDENTIALS_UNAVAILABLE':
      return null;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** Map anything a handler threw. `log` receives unexpected errors once; their text never reaches the client. */
export function fromError(error: unknown, log: (message: string, error: unknown) => void): ApiResult {
  if (error instanceof AppError) {
    const edge = edgeOf(error.code);
    if (edge) {
      // Store messages name hosts and SQL; clients get the code and a sentence, operators the log line.
      if (edge.status >= 500) log(`store error ${error.code}`, error);
      const message = edge.status >= 500 ? 'the state store is unavailable' : error.message;
      return failure({
        ...edge,
        message,
        ...(edge.status < 500 && error.problems ? { problems: error.problems } : {}),
      });
    }
  }
  log('unexpected error', error);
  return failure({ status: 500, code: 'INTERNAL', message: 'internal error' });
}

/**
 * Headers on every response. The API serves JSON only, so the CSP forbids everything and framing is refused; `no-cache`
 * (not `no-store`) lets Grafana revalidate with If-None-Match instead of downloading an unchanged body.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-cache',
});

/**
 * A strong ETag over the exact body bytes: SHA-256, first 16 bytes, base64url. Synchronous (node:crypto), so that a
 * route needing one does not turn a request into a chain of promises.
 */
export function etagOf(body: string | Uint8Array<ArrayBuffer>): string {
  const digest = createHash('sha256').update(body).digest();
  return `"${digest.subarray(0, 16).toString('base64url')}"`;
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so `W/"x"` matches `"x"`; `*` matches any current body.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2
 */
export function noneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header === etag) return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === etag);
}
