import { afterAll, describe, expect, test } from 'bun:test';
import { createSigV4Signer } from '../../src/clients/aws/index.ts';
import { createLokiClient } from '../../src/clients/loki.ts';
import type { ErrorCode } from '../../src/models/index.ts';
import { AppError } from '../../src/models/index.ts';
import { verifySigV4 } from '../support/sigv4-verifier.ts';

const hits = new Map<string, number>();
const received: { path: string; params: Record<string, string>; tenant: string | null }[] = [];
const pendingSlow: (() => void)[] = [];
const slowArrived: (() => void)[] = [];
const SIGNING_KEY = { accessKeyId: 'AKIDLOKITEST', secretAccessKey: 'loki/secret' };

const STREAMS = {
  status: 'success',
  data: {
    resultType: 'streams',
    result: [
      {
        stream: { service_name: 'history', level: 'error' },
        values: [
          ['1730000000987654321', '{"level":"error","msg":"Persistent store operation failure"}'],
          ['1730000000000000001', 'plain text line'],
        ],
      },
    ],
    stats: {},
  },
};
const MATRIX = {
  status: 'success',
  data: { resultType: 'matrix', result: [{ metric: { level: 'error' }, values: [[1730000000, '12']] }] },
};

const text = (body: string, status: number, type = 'text/plain; charset=utf-8') =>
  new Response(body, { status, headers: { 'content-type': type } });

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(request) {
    const url = new URL(request.url);
    const behaviour = url.pathname.split('/')[1] ?? '';
    const count = (hits.get(behaviour) ?? 0) + 1;
    hits.set(behaviour, count);
    received.push({
      path: url.pathname,
      params: Object.fromEntries(url.searchParams),
      tenant: request.headers.get('x-scope-orgid'),
    });
    switch (behaviour) {
      case 'streams':
        return Response.json(STREAMS);
      case 'matrix':
        return Response.json(MATRIX);
      case 'plain400':
        return text('parse error at line 1, col 5: syntax error: unexpected IDENTIFIER\n', 400);
      case 'storm':
        return count <= 3 ? text('too many outstanding requests', 429) : Response.json(STREAMS);
      case 'always429':
        return text('Ingestion rate limit exceeded', 429);
      case 'fail-once':
        return count === 1 ? text('internal error', 500) : Response.json(MATRIX);
      case 'html502':
        return text('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', 502, 'text/html');
      case 'html200':
        return text('<html><body>Please sign in</body></html>', 200, 'text/html');
      case 'truncated':
        return text('{"status":"success","data":{"resultType":"streams","result":[{"str', 200, 'application/json');
      case 'forbidden':
        return Response.json({ message: 'User is not authorized' }, { status: 403 });
      case 'deadline':
        return text('Request timed out, decrease the duration of the request or add more label matchers', 504);
      case 'status-error':
        return Response.json({ status: 'error', errorType: 'bad_data', error: 'max entries limit exceeded' });
      case 'slow':
        for (const arrived of slowArrived.splice(0)) arrived();
        return new Promise<Response>((resolve) => pendingSlow.push(() => resolve(Response.json(STREAMS))));
      case 'signed': {
        const verdict = verifySigV4({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: new Uint8Array(await request.arrayBuffer()),
          region: 'us-east-1',
          service: 'execute-api',
          credentials: [SIGNING_KEY],
        });
        return verdict.ok ? Response.json(STREAMS) : text(verdict.reason, 403);
      }
      default:
        return text('404 page not found', 404);
    }
  },
});
const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
const closedUrl = `http://127.0.0.1:${closed.port}`;
closed.stop(true);
afterAll(() => {
  for (const release of pendingSlow.splice(0)) release();
  server.stop(true);
});

const sleeps: number[] = [];
function client(behaviour: string, extra: { maxAttempts?: number; timeoutMs?: number; tenant?: string } = {}) {
  return createLokiClient({
    baseUrl: `http://127.0.0.1:${server.port}/${behaviour}`,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
}
const WINDOW = { query: '{service_name="history"} |= "error"', startMs: 1730000000000, endMs: 1730000060000 };

async function failure(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('Loki client', () => {
  test('query_range sends ns timestamps, limit and direction, and returns streams with ns strings and ms', async () => {
    const result = await client('streams', { tenant: 'team-a' }).queryRange({
      ...WINDOW,
      limit: 500,
      direction: 'forward',
    });
    expect(received.at(-1)).toEqual({
      path: '/streams/loki/api/v1/query_range',
      params: {
        query: WINDOW.query,
        start: '1730000000000000000',
        end: '1730000060000000000',
        limit: '500',
        direction: 'forward',
      },
      tenant: 'team-a',
    });
    expect(result).toEqual({
      resultType: 'streams',
      streams: [
        {
          labels: { service_name: 'history', level: 'error' },
          entries: [
            {
              timestampNs: '1730000000987654321',
              timestampMs: 1730000000987,
              line: '{"level":"error","msg":"Persistent store operation failure"}',
            },
            { timestampNs: '1730000000000000001', timestampMs: 1730000000000, line: 'plain text line' },
          ],
        },
      ],
    });
  });

  test('instant metric query returns a matrix/vector shape and sends time in ns', async () => {
    const result = await client('matrix').query({ query: 'sum(rate({job="x"}[5m]))', timeMs: 1730000000123 });
    expect(received.at(-1)?.params).toEqual({ query: 'sum(rate({job="x"}[5m]))', time: '1730000000123000000' });
    expect(result.resultType).toBe('matrix');
  });

  test('a plain-text 400 becomes UPSTREAM_QUERY_ERROR carrying Loki’s message, without retries', async () => {
    expect(await failure(client('plain400').queryRange(WINDOW))).toEqual({
      code: 'UPSTREAM_QUERY_ERROR',
      message: 'loki rejected the query (HTTP 400): parse error at line 1, col 5: syntax error: unexpected IDENTIFIER',
    });
    expect(hits.get('plain400')).toBe(1);
  });

  test('a 429 storm is retried with full-jitter backoff and then succeeds', async () => {
    sleeps.length = 0;
    const result = await client('storm', { maxAttempts: 4 }).queryRange(WINDOW);
    expect(result.resultType).toBe('streams');
    expect(hits.get('storm')).toBe(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  test('endless 429 → UPSTREAM_THROTTLED after maxAttempts', async () => {
    expect((await failure(client('always429', { maxAttempts: 3 }).queryRange(WINDOW))).code).toBe('UPSTREAM_THROTTLED');
    expect(hits.get('always429')).toBe(3);
  });

  test('a 500 then success', async () => {
    expect((await client('fail-once').queryRange(WINDOW)).resultType).toBe('matrix');
    expect(hits.get('fail-once')).toBe(2);
  });

  test.each([
    ['html502', 'UPSTREAM_STATUS', 'loki answered HTTP 502: an HTML error page'],
    ['html200', 'UPSTREAM_BAD_BODY', 'loki: unexpected response body: an HTML/XML page instead of JSON'],
    ['truncated', 'UPSTREAM_BAD_BODY', 'loki: unexpected response body: invalid or truncated JSON'],
    ['forbidden', 'AUTH_FAILED', 'loki refused the credentials (HTTP 403): User is not authorized'],
    [
      'deadline',
      'UPSTREAM_TIMEOUT',
      'loki timed out the query (HTTP 504): Request timed out, decrease the duration of the request or add more label matchers',
    ],
    ['status-error', 'UPSTREAM_QUERY_ERROR', 'loki: max entries limit exceeded'],
    ['nowhere', 'UPSTREAM_STATUS', 'loki answered HTTP 404: 404 page not found'],
  ])('%s → %s', async (behaviour, code, message) => {
    expect(await failure(client(behaviour, { maxAttempts: 2 }).queryRange(WINDOW))).toEqual({
      code: code as ErrorCode,
      message,
    });
  });

  test('connection refused → UPSTREAM_UNREACHABLE after bounded attempts', async () => {
    const loki = createLokiClient({ baseUrl: closedUrl, maxAttempts: 2, sleep: async () => {}, random: () => 0 });
    expect((await failure(loki.queryRange(WINDOW))).code).toBe('UPSTREAM_UNREACHABLE');
  });

  test('a slow server → UPSTREAM_TIMEOUT', async () => {
    expect((await failure(client('slow', { timeoutMs: 50, maxAttempts: 1 }).queryRange(WINDOW))).code).toBe(
      'UPSTREAM_TIMEOUT',
    );
  });

  test('caller cancellation → CANCELLED', async () => {
    const controller = new AbortController();
    const arrived = Promise.withResolvers<void>();
    slowArrived.push(arrived.resolve);
    const pending = client('slow', { timeoutMs: 60_000 }).queryRange({ ...WINDOW, signal: controller.signal });
    await arrived.promise;
    controller.abort();
    expect((await failure(pending)).code).toBe('CANCELLED');
  });

  test('invalid input is refused before any request', async () => {
    expect((await failure(client('streams').queryRange({ ...WINDOW, endMs: WINDOW.startMs }))).code).toBe(
      'INVALID_INPUT',
    );
    expect((await failure(client('streams').queryRange({ ...WINDOW, limit: 0 }))).code).toBe('INVALID_INPUT');
    expect(() => createLokiClient({ baseUrl: 'not a url' })).toThrow(AppError);
  });

  test('the sign hook is applied and the server verifies the SigV4 signature', async () => {
    const sign = createSigV4Signer({
      region: 'us-east-1',
      service: 'execute-api',
      credentials: async () => SIGNING_KEY,
    });
    const loki = createLokiClient({ baseUrl: `http://127.0.0.1:${server.port}/signed`, sign });
    expect((await loki.queryRange(WINDOW)).resultType).toBe('streams');
    const unsigned = createLokiClient({ baseUrl: `http://127.0.0.1:${server.port}/signed`, maxAttempts: 1 });
    expect((await failure(unsigned.queryRange(WINDOW))).code).toBe('AUTH_FAILED');
  });
});
