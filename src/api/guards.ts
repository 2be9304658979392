import { createHash, timingSafeEqual } from 'node:crypto';

/** Cross-origin access and the optional bearer token: what a request must pass before any route runs. */

export interface CorsPolicy {
  /** Exact origins (`https://grafana.example.com`), or `*` for any. Empty: no cross-origin access. */
  origins: readonly string[];
}

const ALLOWED_METHODS = 'GET, HEAD, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, If-None-Match';
/** Browsers cap this (Chromium at 2 h); 10 minutes keeps a changed policy from lingering. */
const PREFLIGHT_MAX_AGE_SEC = 600;

/** The CORS headers of a request without `Origin` (same-origin pages, Grafana's server side, curl): one shared object. */
export const NO_ORIGIN_CORS: Readonly<Record<string, string>> = Object.freeze({ Vary: 'Origin' });

/**
 * CORS headers for a request's `Origin`: only configured origins are echoed back. `Vary: Origin` always, because the
 * answer depends on it and a shared cache must not hand one origin's headers to another.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function corsHeaders(policy: CorsPolicy, origin: string | null): Readonly<Record<string, string>> {
  if (origin === null) return NO_ORIGIN_CORS;
  const headers: Record<string, string> = { Vary: 'Origin' };
  const allowed = policy.origins.includes('*') || policy.origins.includes(origin);
  if (!allowed) return headers;
  headers['Access-Control-Allow-Origin'] = policy.origins.includes('*') ? '*' : origin;
  headers['Access-Control-Expose-Headers'] = 'ETag, WWW-Authenticate';
  return headers;
}

/** Extra headers on a preflight answer from an allowed origin. */
export function preflightHeaders(policy: CorsPolicy, origin: string | null): Record<string, string> {
  const headers = corsHeaders(policy, origin);
  if (!headers['Access-Control-Allow-Origin']) return headers;
  return {
    ...headers,
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SEC),
  };
}

/**
 * RFC 6750 §2.1 `b64token`: what a client can send after `Bearer ` at all. A configured token outside it could never
 * be presented, so it is refused at start instead of failing every request.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Why a configured bearer token is unusable, or null when it is fine (16+ characters of the b64token set). */
export function bearerTokenProblem(token: string): string | null {
  if (token.length < 16) return 'the bearer token needs 16+ characters';
  if (!B64TOKEN.test(token)) {
    return 'the bearer token may use only letters, digits and - . _ ~ + / (then trailing =), as RFC 6750 allows';
  }
  return null;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Build the token check. Both sides are hashed first so the comparison always runs over 32 bytes, whatever the
 * presented token's length, and `timingSafeEqual` visits every byte: its time says nothing about how much matched.
 * Synchronous, so a request with a token costs no extra turn of the event loop.
 */
export function createTokenCheck(token: string | null): (authorization: string | null) => boolean {
  if (token === null) return () => true;
  const expected = sha256(token);
  return (authorization) => {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    const presented = sha256(match?.[1] ?? '');
    return timingSafeEqual(expected, presented) && match !== null;
  };
}
