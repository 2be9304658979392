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

test('gzip: the same bytes compressed, with their own ETag, Vary on both, 304s per representation', async () => {
  const api = testApi(db.sql, { corsOrigins: [ORIGIN] });
  await api.refresh();
  const raw = (headers: Record<string, string>, method = 'GET') =>
    api.fetch(new Request('http://test/status?cluster=alpha', { method, headers }));
  const identity = await raw({});
  const identityBytes = new Uint8Array(await identity.arrayBuffer());
  const gzipped = await raw({ 'accept-encoding': 'gzip, deflate, br' });
  expect(gzipped.headers.get('content-encoding')).toBe('gzip');
  expect(Bun.gunzipSync(new Uint8Array(await gzipped.arrayBuffer()))).toEqual(identityBytes);
  expect(identity.headers.get('content-encoding')).toBeNull();
  for (const res of [identity, gzipped]) expect(res.headers.get('vary')).toBe('Origin, Accept-Encoding');
  const identityTag = identity.headers.get('etag') ?? '';
  const gzipTag = gzipped.headers.get('etag') ?? '';
  expect(gzipTag).toMatch(/^"[\w-]{22}"$/);
  expect(gzipTag).not.toBe(identityTag);
  // Each tag revalidates its own representation only: a client holding the other one must get the body.
  expect((await raw({ 'accept-encoding': 'gzip', 'if-none-match': gzipTag })).status).toBe(304);
  expect((await raw({ 'if-none-match': identityTag })).status).toBe(304);
  expect((await raw({ 'accept-encoding': 'gzip', 'if-none-match': identityTag })).status).toBe(200);
  expect((await raw({ 'if-none-match': gzipTag })).status).toBe(200);
  // A refusal of gzip gets the identity body.
  expect((await raw({ 'accept-encoding': 'gzip;q=0, br' })).headers.get('content-encoding')).toBeNull();
  // With an Origin (the general path): the same representation and headers, plus CORS.
  const cross = await raw({ 'accept-encoding': 'gzip', origin: ORIGIN });
  expect(headerMap(cross.headers)).toEqual(headerMap(gzipped.headers));
  expect(cross.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  const head = await raw({ 'accept-encoding': 'gzip' }, 'HEAD');
  expect([head.status, head.headers.get('etag'), head.headers.get('content-encoding')]).toEqual([200, gzipTag, 'gzip']);
  expect(await head.text()).toBe('');
});

test('the page files are served compressed to a client that asks', async () => {
  const api = testApi(db.sql);
  const plain = await api.fetch(new Request('http://test/ui/app.js'));
  const gzipped = await api.fetch(new Request('http://test/ui/app.js', { headers: { 'accept-encoding': 'gzip' } }));
  expect(gzipped.headers.get('content-encoding')).toBe('gzip');
  expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gzipped.arrayBuffer())))).toBe(
    await plain.text(),
  );
  expect(gzipped.headers.get('etag')).not.toBe(plain.headers.get('etag'));
  expect(gzipped.headers.get('content-security-policy')).toBe(plain.headers.get('content-security-policy'));
});
