import type { AwsCallId, PrometheusClient } from '../models/index.ts';
import { AppError, withIamHint } from '../models/index.ts';
import { requestWithRetry } from './http.ts';
import { parseEnvelope, parseInstantData, parseRangeData, parseStringList } from './prometheus-response.ts';
import type { RequestSigner } from './signer.ts';

export type { InstantQueryResult, PrometheusClient, RangeQueryResult, VectorSample } from '../models/index.ts';
export { formatSampleValue, parseSampleValue } from './prometheus-response.ts';

export interface PrometheusClientOptions {
  /** Server root, e.g. `http://127.0.0.1:9090` or an AMP workspace URL `https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>`. */
  baseUrl: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per-attempt deadline, body included. @default 10000 */
  timeoutMs?: number;
  /** Attempts including the first, for network errors, timeouts, 429 and 5xx. @default 3 */
  maxAttempts?: number;
  /** Signs each attempt (AMP needs SigV4, service `aps`). */
  sign?: RequestSigner;
  /** Force GET or form POST; by default POST is used only when the query string would be long. */
  method?: 'GET' | 'POST';
  /** @default setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
}

/** Above this many characters of encoded parameters we POST, staying well under common 8 KiB URL limits. */
const MAX_GET_PARAMS_CHARS = 2000;

/** RFC 3986 encoding: SigV4 canonicalizes with it, and `+` for a space would break the signature. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function formatSeconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * Create a Prometheus / AMP query client (https://prometheus.io/docs/prometheus/latest/querying/api/).
 * Every method throws AppError with UPSTREAM_UNREACHABLE | UPSTREAM_TIMEOUT | UPSTREAM_THROTTLED | UPSTREAM_STATUS |
 * UPSTREAM_BAD_BODY | UPSTREAM_QUERY_ERROR | CANCELLED | AUTH_FAILED.
 * @throws AppError CONFIG_INVALID at construction when `baseUrl` is not an http(s) URL.
 */
export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch (error) {
    throw new AppError('CONFIG_INVALID', `prometheus URL ${JSON.stringify(options.baseUrl)} is not a URL`, {
      cause: error,
    });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new AppError('CONFIG_INVALID', `prometheus URL must be http(s), got ${base.protocol}`);
  }
  const root = base.href.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function call(input: {
    path: string;
    params: Record<string, string>;
    signal?: AbortSignal | undefined;
    /** The AMP action this path needs, named in AUTH_FAILED when the request is SigV4-signed. */
    iam: AwsCallId;
  }) {
    const encoded = Object.entries(input.params)
      .map(([key, value]) => `${encodeRfc3986(key)}=${encodeRfc3986(value)}`)
      .join('&');
    const usePost = options.method === 'POST' || (options.method !== 'GET' && encoded.length > MAX_GET_PARAMS_CHARS);
    const url = `${root}${input.path}`;
    const build = usePost
      ? () =>
          new Request(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            body: encoded,
          })
      : () => new Request(encoded ? `${url}?${encoded}` : url, { headers: { accept: 'application/json' } });
    const result = await requestWithRetry({
      build,
      fetch: doFetch,
      timeoutMs,
      maxAttempts,
      sleep,
      random,
      sign: options.sign,
      signal: input.signal,
      upstream: 'prometheus',
    });
    try {
      return parseEnvelope(result);
    } catch (error) {
      throw options.sign ? withIamHint(error, input.iam) : error;
    }
  }

  return {
    async query(input) {
      const params: Record<string, string> = { query: input.query };
      if (input.timeMs !== undefined) params['time'] = formatSeconds(input.timeMs);
      const { data, warnings } = await call({ path: '/api/v1/query', params, signal: input.signal, iam: 'ampQuery' });
      return parseInstantData(data, warnings);
    },
    async queryRange(input) {
      if (!(input.stepMs > 0) || input.endMs < input.startMs) {
        throw new AppError('INVALID_INPUT', 'query_range needs stepMs > 0 and endMs >= startMs');
      }
      const params = {
        query: input.query,
        start: formatSeconds(input.startMs),
        end: formatSeconds(input.endMs),
        step: `${input.stepMs / 1000}`,
      };
      const { data, warnings } = await call({
        path: '/api/v1/query_range',
        params,
        signal: input.signal,
        iam: 'ampQuery',
      });
      return parseRangeData(data, warnings);
    },
    async metricNames(input = {}) {
      const { data } = await call({
        path: '/api/v1/label/__name__/values',
        params: {},
        signal: input.signal,
        iam: 'ampMetricNames',
      });
      return parseStringList(data);
    },
  };
}
