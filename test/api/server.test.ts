import { afterAll, expect, test } from 'bun:test';
import { serveApi } from '../../src/api/index.ts';
import { StatusResponse } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { apiError, seedTwoClusters, shape, testApi } from './helpers.ts';

const db = await openPostgres();
await seedTwoClusters(db.sql);
afterAll(() => db.close());

test('a real Bun.serve server: status, a 413 for a large body, CORS on the wire', async () => {
  const api = testApi(db.sql, { corsOrigins: ['http://localhost:3000'] });
  await api.refresh();
  using server = serveApi({ api, host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  const status = await fetch(`${base}/status?cluster=alpha`, { headers: { Origin: 'http://localhost:3000' } });
  expect(status.status).toBe(200);
  expect(status.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  expect(shape(StatusResponse, await status.json()).health_state).toBe('critical');
  const big = await fetch(`${base}/actions`, { method: 'POST', body: 'x'.repeat(200_000) });
  expect(big.status).toBe(413);
  apiError(await big.json());
});
