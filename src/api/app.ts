import type postgres from 'postgres';
import { AppError } from '../models/index.ts';
import type { ApiContext } from './context.ts';
import { acceptsGzip, VARY_ENCODING } from './encoding.ts';
import { bearerTokenProblem, corsHeaders, createTokenCheck, NO_ORIGIN_CORS, preflightHeaders } from './guards.ts';
import { type ApiResult, etagOf, failure, fromError, noneMatch, SECURITY_HEADERS } from './http.ts';
import { createMetrics } from './metrics.ts';
import { ROUTES, type Route } from './routes.ts';
import { createStatusCache } from './status-cache.ts';

export interface ApiOptions {
  sql: postgres.Sql;
  /** Cluster names from COPILOT_CLUSTERS, served before their first cycle and listed first. @default [] */
  configuredClusters?: readonly string[];
  /** A latest cycle older than this is stale and shown as `unknown`. */
  staleAfterMs: number;
  /** How often the background loop polls the store for changes. @default 5000 */
  pollIntervalMs?: number;
  /** Required as `Authorization: Bearer <token>` on every route but /healthz and /readyz. @default null (none) */
  bearerToken?: string | null;
  /** Origins allowed to call from a browser; `*` for any. @default [] */
  corsOrigins?: readonly string[];
  /** @default 65536 */
  maxBodyBytes?: number;
  /** Epoch ms. @default Date.now */
  now?: () => number;
  /** Receives unexpected errors and store failures, once each. @default console.error */
  log?: (message: string, error: unknown) => void;
}

const defaultLog = (message: string, error: unknown) => {
  console.error(`copilot api: ${message}: ${error instanceof Error ? error.message : String(error)}`);
};

function checkOptions(options: ApiOptions): void {
  const bad = (message: string) => new AppError('CONFIG_INVALID', `api: ${message}`);
  if (!(options.staleAfterMs > 0)) throw bad('staleAfterMs must be positive');
  if (options.pollIntervalMs !== undefined && !(options.pollIntervalMs >= 100)) throw bad('pollIntervalMs < 100');
  if (options.maxBodyBytes !== undefined && !(Number.isInteger(options.maxBodyBytes) && options.maxBodyBytes > 0)) {
    throw bad('maxBodyBytes must be a positive integer');
  }
  const tokenProblem = options.bearerToken == null ? null : bearerTokenProblem(options.bearerToken);
  if (tokenProblem) throw bad(tokenProblem);
  for (const origin of options.corsOrigins ?? []) {
    if (origin !== '*' && URL.canParse(origin) && new URL(origin).origin === origin) continue;
    if (origin !== '*') throw bad(`CORS origin ${origin} is not an origin such as https://grafana.example.com`);
  }
}

/**
 * The JSON API as one `fetch` function (style convention 3): tests call it with a `Request`, `server.ts` hands it to
 * `Bun.serve`. `start()` begins the background poll; `refresh()` polls once (tests wait on it, never on a clock).
 * @throws AppError CONFIG_INVALID for bad options, at construction.
 */
export function createApi(options: ApiOptions) {
  checkOptions(options);
  const log = options.log ?? defaultLog;
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const cors = { origins: options.corsOrigins ?? [] };
  // No token configured: no check at all, not an awaited always-true one on every request.
  const tokenOk = options.bearerToken == null ? null : createTokenCheck(options.bearerToken);
  const cache = createStatusCache({ sql: options.sql, configured: options.configuredClusters ?? [], now, log });
  const metrics = createMetrics();
  const api: ApiContext = { sql: options.sql, cache, now, staleAfterMs: options.staleAfterMs, maxBodyBytes, metrics };
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The running poll loop's number; 0 when stopped. A tick of an older loop ends instead of rescheduling. */
  let loop = 0;
  let loops = 0;

  function handle(req: Request, method: string, target: Target): ApiResult | Promise<ApiResult> {
    const route = target.route;
    if (!route) return failure({ status: 404, code: 'NOT_FOUND', message: 'no such route; see docs/api.md' });
    if (method === 'OPTIONS') {
      const origin = req.headers.get('origin');
      return { status: 204, body: null, headers: { ...preflightHeaders(cors, origin), Allow: allowOf(route) } };
    }
    const asked = method === 'HEAD' ? 'GET' : method;
    if (!route.methods.some((m) => m === asked)) {
      const allow = allowOf(route);
      return failure({ status: 405, code: 'METHOD_NOT_ALLOWED', message: `use ${allow}`, headers: { Allow: allow } });
    }
    if (!route.open && tokenOk && !tokenOk(req.headers.get('authorization'))) {
      return failure({
        status: 401,
        code: 'AUTH_FAILED',
        message: 'a valid bearer token is required',
        headers: { 'WWW-Authenticate': 'Bearer realm="copilot"' },
      });
    }
    const ctx = { api, url: target.url, params: target.params };
    const handler = route.handler;
    // Only a request that declares or carries a body can be too large; one without stays synchronous. A GET or HEAD
    // off the wire has a body only with Content-Length or Transfer-Encoding (RFC 9112 §6.3), and asking the headers
    // is cheaper than making Bun materialize `req.body` on the busiest route; a POST (or an in-process Request with a
    // stream) is asked directly.
    const headers = req.headers;
    const hasBody =
      asked === 'GET'
        ? headers.has('content-length') || headers.has('transfer-encoding')
        : req.body !== null || headers.has('content-length');
    if (hasBody) {
      return bodyTooLarge(req, maxBodyBytes).then((tooLarge) => tooLarge ?? handler(req, ctx));
    }
    return handler(req, ctx);
  }

  function failed(error: unknown): ApiResult {
    if (error instanceof AppError && error.code.startsWith('STORE_')) cache.recordStoreError();
    return fromError(error, log);
  }

  function respond(req: Request, method: string, target: Target, result: ApiResult): Response {
    // With no origin allowed, every request gets the headers of one without Origin, so it is not even read.
    const origin = cors.origins.length === 0 ? null : req.headers.get('origin');
    const response = finish(req, method, result, corsHeaders(cors, origin));
    metrics.countRequest({ route: target.route?.path ?? 'unmatched', method, status: response.status });
    return response;
  }

  /**
   * Synchronous whenever the route is (the memoized `/status`, the page, probes): no promise is made unless a
   * handler or a body needs I/O. Bun.serve takes either.
   */
  function fetch(req: Request): Response | Promise<Response> {
    const target = targetOf(req.url);
    // Read once: each read of a Request's method or URL makes a new string.
    const method = req.method;
    let result: ApiResult | Promise<ApiResult>;
    try {
      result = target.error ?? handle(req, method, target);
    } catch (error) {
      result = failed(error);
    }
    if (result instanceof Promise) return result.catch(failed).then((done) => respond(req, method, target, done));
    return respond(req, method, target, result);
  }

  return {
    fetch,
    refresh: () => cache.refresh(),
    /**
     * Poll every `pollIntervalMs` until `stop()`; polls never overlap. Idempotent: while a loop runs, another call
     * starts nothing (and returns false), and a stop-then-start while a poll is in flight leaves one loop, not two.
     */
    start(): boolean {
      if (loop !== 0) return false;
      loops += 1;
      const mine = loops;
      loop = mine;
      const tick = async () => {
        await cache.refresh();
        if (loop === mine) timer = setTimeout(tick, options.pollIntervalMs ?? 5_000);
      };
      void tick();
      return true;
    },
    stop(): void {
      loop = 0;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** Each route's `Allow` header, joined once. */
const ALLOW = new Map<Route, string>();
function allowOf(route: Route): string {
  let allow = ALLOW.get(route);
  if (allow === undefined) {
    allow = [...route.methods, ...(route.methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    ALLOW.set(route, allow);
  }
  return allow;
}

interface Target {
  /** Shared by every request for the same URL; handlers only read it. */
  url: URL;
  route: Route | null;
  params: Record<string, string>;
  /** The path named a route but could not be decoded. */
  error?: ApiResult;
}

// Grafana's panels and the page ask for the same few URLs every refresh: each is parsed and routed once. The bound
// keeps a client that varies its URLs (or a fuzzer) from growing the map; it is then cleared and refilled.
const TARGET_MEMO_LIMIT = 512;
const targets = new Map<string, Target>();

function targetOf(rawUrl: string): Target {
  let target = targets.get(rawUrl);
  if (target === undefined) {
    const url = new URL(rawUrl);
    target = { url, ...matchRoute(url.pathname) };
    if (targets.size >= TARGET_MEMO_LIMIT) targets.clear();
    targets.set(rawUrl, target);
  }
  return target;
}

function matchRoute(pathname: string): Omit<Target, 'url'> {
  const exact = ROUTES.find((route) => route.path === pathname);
  if (exact) return { route: exact, params: {} };
  const parts = pathname.split('/');
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    const fits = (segment: string, i: number) =>
      segment.startsWith(':') ? (parts[i] ?? '') !== '' : segment === parts[i];
    if (pattern.length !== parts.length || !pattern.every(fits)) continue;
    const params: Record<string, string> = {};
    for (const [i, segment] of pattern.entries()) {
      if (!segment.startsWith(':')) continue;
      try {
        params[segment.slice(1)] = decodeURIComponent(parts[i] ?? '');
      } catch {
        const error = failure({
          status: 400,
          code: 'INVALID_INPUT',
          message: 'malformed percent-encoding in the path',
        });
        return { route, params: {}, error };
      }
    }
    return { route, params };
  }
  return { route: null, params: {} };
}

/** Refuse a body over the limit by its declared length, or while reading it when the length is not declared. */
async function bodyTooLarge(req: Request, maxBytes: number): Promise<ApiResult | null> {
  const tooLarge = failure({
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: `bodies are limited to ${maxBytes} bytes`,
  });
  const declared = req.headers.get('content-length');
  if (declared !== null && !/^\d{1,15}$/.test(declared)) {
    return failure({ status: 400, code: 'INVALID_INPUT', message: 'malformed Content-Length' });
  }
  if (declared !== null && Number(declared) > maxBytes) return tooLarge;
  if (!req.body) return null;
  let total = 0;
  for await (const chunk of req.body) {
    total += chunk.byteLength;
    if (total > maxBytes) return tooLarge;
  }
  return null;
}

// Headers as a plain object, handed to Response once: building a Headers object and setting into it cost more than
// the rest of a memoized /status answer (bench/api.ts, --cpu-prof).
function finish(req: Request, method: string, result: ApiResult, cors: Readonly<Record<string, string>>): Response {
  const text = result.text;
  const gzip = text?.gzip && acceptsGzip(req.headers.get('accept-encoding')) ? text.gzip : null;
  // The representation sent: the compressed one when the client takes it, else the body as it is.
  const chosen = gzip ?? text;
  const ready = chosen?.ready;
  // The ready answers carry the ETag, so only a conditional 200 may use them (a 503's stale body offers no ETag).
  const plain = cors === NO_ORIGIN_CORS && result.headers === undefined && result.status === 200;
  if (ready && plain && result.conditional && chosen?.etag !== undefined) {
    if (noneMatch(req.headers.get('if-none-match'), chosen.etag)) return ready.notModified.clone();
    if (method === 'HEAD') return headResponse(200, chosen.body, new Headers(ready.ok.headers));
    return ready.ok.clone();
  }
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...cors, ...result.headers };
  if (result.status === 204) return new Response(null, { status: 204, headers });
  const body = chosen ? chosen.body : JSON.stringify(result.body);
  headers['Content-Type'] = text ? text.contentType : 'application/json; charset=utf-8';
  // Either representation says that the coding depended on the request (and `cors` always varies on Origin).
  if (text?.gzip) headers['Vary'] = VARY_ENCODING;
  if (gzip) headers['Content-Encoding'] = 'gzip';
  const head = method === 'HEAD';
  if (result.conditional && result.status === 200 && (method === 'GET' || head)) {
    const etag = chosen?.etag ?? etagOf(body);
    headers['ETag'] = etag;
    if (noneMatch(req.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
  }
  return head
    ? headResponse(result.status, body, new Headers(headers))
    : new Response(body, { status: result.status, headers });
}

/**
 * A HEAD answer: no body, but the Content-Length the GET would have (RFC 9110 §9.3.2); Bun would otherwise send
 * `Content-Length: 0` for the empty body.
 */
function headResponse(status: number, body: string | Uint8Array<ArrayBuffer>, headers: Headers): Response {
  headers.set('Content-Length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
  return new Response(null, { status, headers });
}
