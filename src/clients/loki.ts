import type { LokiClient } from '../models/index.ts';
import { AppError, withIamHint } from '../models/index.ts';
import type { HttpResult } from './http.ts';
import { requestWithRetry } from './http.ts';
import type { LokiQueryResult } from './loki-response.ts';
import { cleanText, parseLokiBody } from './loki-response.ts';
import type { RequestSigner } from './signer.ts';

export type {
  LokiClient,
  LokiDirection,
  LokiEntry,
  LokiPoint,
  LokiQueryInput,
  LokiQueryResult,
  LokiRangeQueryInput,
  LokiStream,
} from '../models/index.ts';
export { parseLokiBody, parseLokiPayload } from './loki-response.ts';

export interface LokiClientOptions {
  /** Loki root, e.g. `http://loki:3100` or an API Gateway stage URL; `/loki/api/v1/…` is appended. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per attempt, body included. @default 30000 */
  timeoutMs?: number;
  /** Attempts including the first (network errors, timeouts, 429, 5xx are retried). @default 3 */
  maxAttempts?: number;
  /** SigV4 or other signing, applied to every attempt (Loki behind API Gateway with IAM auth). */
  sign?: RequestSigner;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1) source for full-jitter backoff. @default Math.random */
  random?: () => number;
  /** Sent as `X-Scope-OrgID` for multi-tenant Loki. */
  tenant?: string;
}

/**
 * A Loki query client: `GET /loki/api/v1/query` and `/query_range` with epoch-nanosecond timestamps, a per-attempt
 * timeout, caller cancellation and bounded retries with full jitter.
 * @see https://grafana.com/docs/loki/latest/reference/loki-http-api/
 * @throws AppError CONFIG_INVALID for bad options. Queries throw UPSTREAM_UNREACHABLE | UPSTREAM_TIMEOUT |
 *   UPSTREAM_THROTTLED | UPSTREAM_STATUS | UPSTREAM_BAD_BODY | UPSTREAM_QUERY_ERROR | AUTH_FAILED | CANCELLED, or
 *   INVALID_INPUT for a bad window, or whatever `sign` throws (CREDENTIALS_UNAVAILABLE).
 */
export function createLokiClient(options: LokiClientOptions): LokiClient {
  let root: URL;
  try {
    root = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  } catch (error) {
    throw new AppError('CONFIG_INVALID', `loki: baseUrl is not a URL: ${options.baseUrl}`, { cause: error });
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 3;
  if (!(timeoutMs > 0) || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new AppError('CONFIG_INVALID', 'loki: timeoutMs must be > 0 and maxAttempts an integer >= 1');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function call(path: string, params: [string, string][], signal: AbortSignal | undefined) {
    const search = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const url = new URL(`loki/api/v1/${path}?${search}`, root).href;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.tenant !== undefined) headers['x-scope-orgid'] = options.tenant;
    const result = await requestWithRetry({
      build: () => new Request(url, { headers }),
      fetch: fetchImpl,
      timeoutMs,
      maxAttempts,
      sleep,
      random,
      sign: options.sign,
      signal,
      upstream: 'loki',
    });
    try {
      return interpret(result);
    } catch (error) {
      // Signed means Loki sits behind API Gateway with IAM auth: name the action the role lacks.
      throw options.sign ? withIamHint(error, 'lokiQuery') : error;
    }
  }

  return {
    async query(input) {
      const params: [string, string][] = [['query', input.query]];
      if (input.timeMs !== undefined) params.push(['time', toNanoseconds(input.timeMs, 'timeMs')]);
      if (input.limit !== undefined) params.push(['limit', checkLimit(input.limit)]);
      if (input.direction !== undefined) params.push(['direction', input.direction]);
      return call('query', params, input.signal);
    },
    async queryRange(input) {
      if (!(input.startMs < input.endMs)) throw new AppError('INVALID_INPUT', 'loki: startMs must be before endMs');
      const params: [string, string][] = [
        ['query', input.query],
        ['start', toNanoseconds(input.startMs, 'startMs')],
        ['end', toNanoseconds(input.endMs, 'endMs')],
      ];
      if (input.limit !== undefined) params.push(['limit', checkLimit(input.limit)]);
      if (input.direction !== undefined) params.push(['direction', input.direction]);
      if (input.stepMs !== undefined) {
        if (!(input.stepMs > 0)) throw new AppError('INVALID_INPUT', 'loki: stepMs must be > 0');
        params.push(['step', String(input.stepMs / 1000)]);
      }
      return call('query_range', params, input.signal);
    },
  };
}

/** Loki reads a bare integer timestamp as epoch nanoseconds; BigInt keeps every digit exact. */
function toNanoseconds(ms: number, name: string): string {
  if (!Number.isFinite(ms) || ms < 0) throw new AppError('INVALID_INPUT', `loki: ${name} must be a finite epoch ms`);
  return (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
}

function checkLimit(limit: number): string {
  if (!Number.isInteger(limit) || limit < 1) throw new AppError('INVALID_INPUT', 'loki: limit must be an integer >= 1');
  return String(limit);
}

function interpret(result: HttpResult): LokiQueryResult {
  const { status } = result;
  if (status >= 200 && status < 300) return parseLokiBody(result.text);
  const detail = describeErrorBody(result);
  if (status === 400 || status === 422) {
    throw new AppError('UPSTREAM_QUERY_ERROR', `loki rejected the query (HTTP ${status}): ${detail}`, { status });
  }
  if (status === 401 || status === 403) {
    throw new AppError('AUTH_FAILED', `loki refused the credentials (HTTP ${status}): ${detail}`, { status });
  }
  if (status === 429) throw new AppError('UPSTREAM_THROTTLED', `loki is throttling (HTTP 429): ${detail}`, { status });
  if (status === 504) {
    throw new AppError('UPSTREAM_TIMEOUT', `loki timed out the query (HTTP 504): ${detail}`, { status });
  }
  throw new AppError('UPSTREAM_STATUS', `loki answered HTTP ${status}: ${detail}`, { status });
}

/** Loki writes most errors as text/plain; proxies in front of it write HTML; some layers write JSON. */
function describeErrorBody(result: HttpResult): string {
  const text = result.text;
  const contentType = result.headers.get('content-type') ?? '';
  if (contentType.includes('html') || /^\s*</.test(text)) return 'an HTML error page';
  if (contentType.includes('json') || /^\s*\{/.test(text)) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'object' && parsed !== null) {
        for (const key of ['error', 'message', 'Message'] as const) {
          const value: unknown = Reflect.get(parsed, key);
          if (typeof value === 'string') return cleanText(value);
        }
      }
    } catch {
      // Not JSON after all: fall through to the text.
    }
  }
  return text.trim() === '' ? '(empty body)' : cleanText(text);
}
