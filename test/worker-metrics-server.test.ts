import { expect, test } from 'bun:test';
import { createWorkerMetrics } from '../src/activities/worker-metrics.ts';
import { AppError } from '../src/models/index.ts';
import { startWorkerMetricsServer } from '../src/worker-metrics-server.ts';

/** The worker's metrics server on a real socket (Bun's node:http is what Node runs in the worker; same API). */

test('/metrics is the exposition, /healthz answers ok, anything else is a JSON 404 or 405', async () => {
  const metrics = createWorkerMetrics({ startedMs: 1_000 });
  metrics.queryFailed({ cluster: 'prod', source: 'prometheus', code: 'UPSTREAM_TIMEOUT' });
  const server = await startWorkerMetricsServer({ host: '127.0.0.1', port: 0, exposition: metrics.exposition });
  try {
    const scrape = await fetch(`${server.url}/metrics`);
    expect([scrape.status, scrape.headers.get('content-type')]).toEqual([
      200,
      'text/plain; version=0.0.4; charset=utf-8',
    ]);
    expect(await scrape.text()).toBe(metrics.exposition());
    const health = await fetch(`${server.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const missing = await fetch(`${server.url}/status`);
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'no route /status' } },
    ]);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow'), (await post.json()).error.code]).toEqual([
      405,
      'GET, HEAD',
      'INVALID_INPUT',
    ]);
  } finally {
    await server.close();
  }
});

test('close() is idempotent and frees the port, even with a kept-alive scrape connection open', async () => {
  const server = await startWorkerMetricsServer({ host: '127.0.0.1', port: 0, exposition: () => '' });
  const port = Number(new URL(server.url).port);
  await fetch(`${server.url}/healthz`, { keepalive: true });
  await Promise.all([server.close(), server.close()]);
  const again = await startWorkerMetricsServer({ host: '127.0.0.1', port, exposition: () => '' });
  await again.close();
});

test('a taken port is CONFIG_INVALID naming the variable and the address', async () => {
  const first = await startWorkerMetricsServer({ host: '127.0.0.1', port: 0, exposition: () => '' });
  const port = Number(new URL(first.url).port);
  try {
    const error = await startWorkerMetricsServer({ host: '127.0.0.1', port, exposition: () => '' }).catch(
      (e: unknown) => e,
    );
    expect(error instanceof AppError ? [error.code, error.message] : error).toEqual([
      'CONFIG_INVALID',
      `COPILOT_WORKER_METRICS_PORT: 127.0.0.1:${port} is already in use`,
    ]);
  } finally {
    await first.close();
  }
});
