import { afterAll, describe, expect, test } from 'bun:test';
import { staticProvider } from '../../src/clients/aws/index.ts';
import { createClusterClients, credentialsForClusters } from '../../src/clients/cluster-clients.ts';
import { AppError } from '../../src/models/index.ts';
import { verifySigV4 } from '../support/sigv4-verifier.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDCLUSTERTEST00000',
  secretAccessKey: 'cluster/test+secret/key000000000000000000',
};
const REGION = 'eu-west-1';
const seen: { path: string; service: string | null; authorized: boolean }[] = [];

/** One local server standing in for AMP (`/workspaces/…`, service aps) and Loki behind API Gateway (execute-api). */
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(request) {
    const url = new URL(request.url);
    const body = new Uint8Array(await request.arrayBuffer());
    const service = url.pathname.startsWith('/workspaces/') ? 'aps' : 'execute-api';
    const hasAuth = request.headers.has('authorization');
    const verdict = hasAuth
      ? verifySigV4({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body,
          region: REGION,
          service,
          credentials: [CREDENTIALS],
        })
      : null;
    seen.push({ path: url.pathname, service: hasAuth ? service : null, authorized: verdict?.ok ?? false });
    if (verdict && !verdict.ok) return Response.json({ message: verdict.reason }, { status: 403 });
    if (url.pathname.startsWith('/slow/')) return new Promise<Response>(() => {});
    if (url.pathname.endsWith('/api/v1/query')) {
      return Response.json({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, '42'] }] },
      });
    }
    return Response.json({ status: 'success', data: { resultType: 'streams', result: [] } });
  },
});
afterAll(() => server.stop(true));
const base = `http://127.0.0.1:${server.port}`;

describe('createClusterClients', () => {
  test('signs AMP queries (aps) and Loki behind API Gateway (execute-api) with the configured region', async () => {
    seen.length = 0;
    const { prometheus, loki } = createClusterClients({
      cluster: {
        name: 'prod',
        prometheus_url: `${base}/workspaces/ws-1`,
        prometheus_sigv4: { region: REGION },
        loki_url: `${base}/prod`,
        loki_sigv4: { region: REGION },
      },
      credentials: staticProvider(CREDENTIALS),
    });
    const result = await prometheus.query({ query: 'sum(rate(service_requests[1m]))' });
    expect(result).toMatchObject({ resultType: 'vector', series: [{ value: 42 }] });
    await loki?.queryRange({ query: '{job="temporal"}', startMs: 0, endMs: 60_000 });
    expect(seen).toEqual([
      { path: '/workspaces/ws-1/api/v1/query', service: 'aps', authorized: true },
      { path: '/prod/loki/api/v1/query_range', service: 'execute-api', authorized: true },
    ]);
  });

  test('plain Prometheus without SigV4 sends no signature and needs no credentials', async () => {
    seen.length = 0;
    const { prometheus, loki } = createClusterClients({ cluster: { name: 'dev', prometheus_url: base } });
    await prometheus.query({ query: 'up' });
    expect(loki).toBeNull();
    expect(seen).toEqual([{ path: '/api/v1/query', service: null, authorized: false }]);
  });

  test("the Loki deadline is the caller's, so a retry fits inside an activity budget", async () => {
    const { loki } = createClusterClients({
      cluster: { name: 'dev', prometheus_url: base, loki_url: `${base}/slow` },
      lokiTimeoutMs: 50,
    });
    const failure = await loki?.queryRange({ query: '{job="temporal"}', startMs: 0, endMs: 60_000 }).then(
      () => 'answered',
      (error: unknown) => (error instanceof AppError ? error.code : String(error)),
    );
    expect(failure).toBe('UPSTREAM_TIMEOUT');
  });

  test('SigV4 without credentials is a configuration error at construction, not a 403 at 3 a.m.', () => {
    expect(() =>
      createClusterClients({ cluster: { name: 'prod', prometheus_url: base, prometheus_sigv4: { region: REGION } } }),
    ).toThrow(AppError);
  });

  test('a credential provider is built only when some cluster needs SigV4', () => {
    const plain = { name: 'dev', prometheus_url: base };
    expect(credentialsForClusters({ clusters: [plain], awsEnv: {} })).toBeUndefined();
    const provider = credentialsForClusters({
      clusters: [plain, { name: 'prod', prometheus_url: base, prometheus_sigv4: { region: REGION } }],
      awsEnv: { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey },
    });
    expect(provider).toBeFunction();
  });
});
