import { describe, expect, test } from 'bun:test';
import { createLokiClient } from '../../src/clients/loki.ts';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import { AppError, AWS_CALLS, awsActionsOf, iamHint, withIamHint } from '../../src/models/index.ts';

const denied: typeof fetch = Object.assign(async () => new Response('{"message":"denied"}', { status: 403 }), {
  preconnect: fetch.preconnect,
});
const passThrough = async (request: Request) => request;

async function errorOf(run: () => Promise<unknown>): Promise<AppError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('AWS_CALLS, the one table of IAM actions the clients call', () => {
  test('every action is service:Action, with no wildcard', () => {
    for (const call of Object.values(AWS_CALLS)) {
      for (const action of call.actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
    }
  });

  test('each principal needs exactly these actions', () => {
    expect({
      worker: awsActionsOf('worker'),
      api: awsActionsOf('api'),
      kbSync: awsActionsOf('kb-sync'),
    }).toEqual({
      worker: [
        'aps:GetLabels',
        'aps:QueryMetrics',
        'bedrock:InvokeModel',
        'bedrock:Retrieve',
        'dsql:DbConnect',
        'dsql:DbConnectAdmin',
        'execute-api:Invoke',
      ],
      api: ['dsql:DbConnect', 'dsql:DbConnectAdmin'],
      kbSync: [
        'bedrock:GetIngestionJob',
        'bedrock:ListIngestionJobs',
        'bedrock:Retrieve',
        'bedrock:StartIngestionJob',
        's3:DeleteObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
      ],
    });
  });

  test('withIamHint appends the hint to AUTH_FAILED only, keeping status', () => {
    const auth = withIamHint(new AppError('AUTH_FAILED', 'no', { status: 502 }), 'ampQuery');
    expect(auth instanceof AppError && [auth.message, auth.status]).toEqual([`no${iamHint('ampQuery')}`, 502]);
    const other = new AppError('UPSTREAM_STATUS', 'x');
    expect(withIamHint(other, 'ampQuery')).toBe(other);
  });
});

describe('the clients name the action in AUTH_FAILED when they sign', () => {
  test('AMP (signed Prometheus): query needs aps:QueryMetrics, metric names aps:GetLabels', async () => {
    const amp = createPrometheusClient({
      baseUrl: 'http://amp.test/workspaces/ws-1',
      fetch: denied,
      sign: passThrough,
    });
    const query = await errorOf(() => amp.query({ query: 'up' }));
    const names = await errorOf(() => amp.metricNames());
    expect([query.code, query.message.endsWith(iamHint('ampQuery')), names.message.includes('aps:GetLabels')]).toEqual([
      'AUTH_FAILED',
      true,
      true,
    ]);
  });

  test('a plain Prometheus (unsigned) 403 says nothing about IAM', async () => {
    const plain = createPrometheusClient({ baseUrl: 'http://prom.test', fetch: denied });
    expect((await errorOf(() => plain.query({ query: 'up' }))).message).not.toContain('IAM');
  });

  test('Loki behind API Gateway (signed) needs execute-api:Invoke; unsigned Loki gets no hint', async () => {
    const signed = createLokiClient({ baseUrl: 'http://loki.test', fetch: denied, sign: passThrough });
    const unsigned = createLokiClient({ baseUrl: 'http://loki.test', fetch: denied });
    const window = { query: '{app="x"}', startMs: 0, endMs: 1000 };
    expect([
      (await errorOf(() => signed.queryRange(window))).message.endsWith(iamHint('lokiQuery')),
      (await errorOf(() => unsigned.queryRange(window))).message.includes('IAM'),
    ]).toEqual([true, false]);
  });
});
