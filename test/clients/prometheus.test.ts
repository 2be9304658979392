import { afterAll, describe, expect, test } from 'bun:test';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import { AppError } from '../../src/models/index.ts';

const noSleep = async () => {};

/** One local server; each test picks a behaviour by path prefix, counting hits per behaviour. */
const hits = new Map<string, number>();
const received: { behaviour: string; method: string; query: string | null; contentType: string | null }[] = [];
const pendingSlow: ((response: Response) => void)[] = [];

function vector(value: string) {
  return Response.json({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1700000000.5, value] }] },
  });
}

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(request) {
    const url = new URL(request.url);
    const [, behaviour] = url.pathname.split('/');
    const key = behaviour ?? '';
    const count = (hits.get(key) ?? 0) + 1;
    hits.set(key, count);
    const body = request.method === 'POST' ? await request.text() : url.search.slice(1);
    received.push({
      behaviour: key,
      method: request.method,
      query: new URLSearchParams(body).get('query'),
      contentType: request.headers.get('content-type'),
    });
    switch (behaviour) {
      case 'ok':
        return vector('+Inf');
      case 'storm':
        return count <= 3 ? new Response('slow down', { status: 429 }) : vector('7');
      case 'always429':
        return new Response('no', { status: 429 });
      case 'fivexx':
        return new Response('bad gateway', { status: 502 });
      case 'html':
        return new Response('<html><body>Sign in</body></html>', { headers: { 'content-type': 'text/html' } });
      case 'truncated':
        return new Response('{"status":"success","data":{"resultType":"vec', {
          headers: { 'content-type': 'application/json' },
        });
      case 'baddata':
        return Response.json({ status: 'error', errorType: 'bad_data', error: '1:5: parse error' }, { status: 400 });
      case 'forbidden':
        return Response.json({ message: 'not authorized' }, { status: 403 });
      case 'empty':
        return Response.json({ status: 'success', data: { resultType: 'vector', result: [] } });
      case 'slow':
        return new Promise<Response>((resolve) => pendingSlow.push(resolve));
      case 'names':
        return Response.json({ status: 'success', data: ['up', 'service_requests_total'] });
      case 'range':
        return Response.json({
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [
              {
                metric: {},
                values: [
                  [1700000000, '1'],
                  [1700000030, 'NaN'],
                ],
              },
            ],
          },
        });
      default:
        return new Response('not found', { status: 404 });
    }
  },
});

afterAll(async () => {
  for (const resolve of pendingSlow) resolve(new Response('late'));
  await server.stop(true);
});

function client(path: string, extra: Partial<Parameters<typeof createPrometheusClient>[0]> = {}) {
  return createPrometheusClient({
    baseUrl: `${server.url.origin}/${path}`,
    sleep: noSleep,
    random: () => 0.5,
    ...extra,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof AppError ? error.code : `foreign: ${String(error)}`;
  }
}

describe('prometheus client against a local server', () => {
  test('instant query parses +Inf and the timestamp', async () => {
    const result = await client('ok').query({ query: 'up', timeMs: 1_700_000_000_000 });
    expect(result).toEqual({
      resultType: 'vector',
      series: [{ metric: { job: 'x' }, value: Number.POSITIVE_INFINITY, timestampMs: 1_700_000_000_500 }],
      warnings: [],
    });
  });

  test('a 429 storm is retried until it succeeds', async () => {
    const result = await client('storm', { maxAttempts: 5 }).query({ query: 'up' });
    expect(result.resultType === 'vector' && result.series[0]?.value).toBe(7);
    expect(hits.get('storm')).toBe(4);
  });

  test('bounded attempts: a permanent 429 ends as UPSTREAM_THROTTLED after maxAttempts', async () => {
    expect(await codeOf(client('always429', { maxAttempts: 3 }).query({ query: 'up' }))).toBe('UPSTREAM_THROTTLED');
    expect(hits.get('always429')).toBe(3);
  });

  test.each([
    ['fivexx', 'UPSTREAM_STATUS'],
    ['html', 'UPSTREAM_BAD_BODY'],
    ['truncated', 'UPSTREAM_BAD_BODY'],
    ['baddata', 'UPSTREAM_QUERY_ERROR'],
    ['forbidden', 'AUTH_FAILED'],
  ])('%s → %s', async (path, code) => {
    expect(await codeOf(client(path, { maxAttempts: 2 }).query({ query: 'up' }))).toBe(code);
  });

  test('bad_data is not retried', async () => {
    hits.delete('baddata');
    await codeOf(client('baddata', { maxAttempts: 4 }).query({ query: 'up' }));
    expect(hits.get('baddata')).toBe(1);
  });

  test('empty result is an empty vector, not an error', async () => {
    expect(await client('empty').query({ query: 'up' })).toEqual({ resultType: 'vector', series: [], warnings: [] });
  });

  test('a slow server times out per attempt', async () => {
    expect(await codeOf(client('slow', { timeoutMs: 50, maxAttempts: 2 }).query({ query: 'up' }))).toBe(
      'UPSTREAM_TIMEOUT',
    );
  });

  test('caller cancellation wins over retries', async () => {
    const controller = new AbortController();
    const pending = client('slow', { timeoutMs: 60_000 }).query({ query: 'up', signal: controller.signal });
    controller.abort(new Error('shutdown'));
    expect(await codeOf(pending)).toBe('CANCELLED');
  });

  test('a server that is down is UPSTREAM_UNREACHABLE', async () => {
    const down = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
    const url = down.url.origin;
    await down.stop(true);
    const result = codeOf(
      createPrometheusClient({ baseUrl: url, sleep: noSleep, maxAttempts: 2 }).query({ query: 'up' }),
    );
    expect(await result).toBe('UPSTREAM_UNREACHABLE');
  });

  test('long queries are sent as a form POST; short ones as GET; POST can be forced', async () => {
    received.length = 0;
    const longQuery = `sum(rate(x{a="${'y'.repeat(3000)}"}[1m]))`;
    await client('empty').query({ query: longQuery });
    await client('empty').query({ query: 'up + 1' });
    await client('empty', { method: 'POST' }).query({ query: 'up' });
    // Only this test's path: a request an earlier test aborted may still reach the server late.
    const mine = received.filter((r) => r.behaviour === 'empty');
    expect(mine.map((r) => [r.method, r.query, r.contentType])).toEqual([
      ['POST', longQuery, 'application/x-www-form-urlencoded'],
      ['GET', 'up + 1', null],
      ['POST', 'up', 'application/x-www-form-urlencoded'],
    ]);
  });

  test('range queries and metric names', async () => {
    const range = await client('range').queryRange({ query: 'up', startMs: 0, endMs: 60_000, stepMs: 30_000 });
    expect(range.series[0]?.points[0]).toEqual({ timestampMs: 1_700_000_000_000, value: 1 });
    expect(Number.isNaN(range.series[0]?.points[1]?.value)).toBe(true);
    expect(await client('names').metricNames()).toEqual(['up', 'service_requests_total']);
  });

  test('the signer sees every attempt', async () => {
    let signed = 0;
    const sign = async (request: Request) => {
      signed += 1;
      const headers = new Headers(request.headers);
      headers.set('authorization', 'test');
      return new Request(request, { headers });
    };
    hits.delete('storm');
    await client('storm', { sign, maxAttempts: 5 }).query({ query: 'up' });
    expect(signed).toBe(4);
  });

  test('a non-URL base is CONFIG_INVALID at construction', () => {
    expect(() => createPrometheusClient({ baseUrl: 'not a url' })).toThrow(AppError);
  });
});
