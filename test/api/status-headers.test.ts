import { afterAll, expect, test } from 'bun:test';
import { StatusResponse } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { call, seedTwoClusters, shape, testApi } from './helpers.ts';

/**
 * `/status` answers a request without `Origin` from headers built once per body; it must say exactly what the
 * general path says (the same headers, the same 304s), and the body must still be a valid StatusResponse.
 */

const db = await openPostgres();
await seedTwoClusters(db.sql);
afterAll(() => db.close());

const ORIGIN = 'https://grafana.example.com';

function headerMap(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers.entries()].filter(([name]) => !name.startsWith('access-control-')));
}

test('without Origin: the same headers, body and 304s as with an allowed Origin', async () => {
  const api = testApi(db.sql, { corsOrigins: [ORIGIN] });
  await api.refresh();
  const plain = await call(api, '/status?cluster=alpha');
  const cross = await call(api, '/status?cluster=alpha', { headers: { origin: ORIGIN } });
  expect(plain.status).toBe(200);
  expect(headerMap(plain.headers)).toEqual(headerMap(cross.headers));
  expect(plain.text).toBe(cross.text);
  expect(shape(StatusResponse, plain.body).cluster).toBe('alpha');
  const etag = plain.headers.get('etag') ?? '';
  expect(etag).toMatch(/^"[\w-]{22}"$/);
  for (const headers of [{ 'if-none-match': etag }, { 'if-none-match': `W/${etag}`, origin: ORIGIN }]) {
    const revalidated = await call(api, '/status?cluster=alpha', { headers });
    expect([revalidated.status, revalidated.text, revalidated.headers.get('etag')]).toEqual([304, '', etag]);
  }
  const head = await call(api, '/status?cluster=alpha', { method: 'HEAD' });
  expect([head.status, head.text, head.headers.get('etag')]).toEqual([200, '', etag]);
  // A request's CORS headers never leak into the shared ones.
  expect((await call(api, '/status?cluster=alpha')).headers.get('access-control-allow-origin')).toBeNull();
});
