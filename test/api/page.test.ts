import { afterAll, expect, test } from 'bun:test';
import { etagOf } from '../../src/api/http.ts';
import { PAGE_CSP } from '../../src/api/page.ts';
import { writeCycle } from '../../src/db/index.ts';
import { StatusResponse } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { call, firingCycle, shape, T0, testApi } from './helpers.ts';

// The page's HTTP side without a browser: what it is served as, and that it carries its own CSP.
const db = await openPostgres();
afterAll(() => db.close());
const api = testApi(db.sql, { bearerToken: 'a-token-of-sixteen-chars' });

test.each([
  ['/', 'text/html; charset=utf-8', '<script type="module" src="ui/app.js"></script>'],
  ['/ui/app.js', 'text/javascript; charset=utf-8', "getJson('clusters')"],
  ['/ui/app.css', 'text/css; charset=utf-8', '.state-critical {'],
  ['/ui/icon.svg', 'image/svg+xml', '<circle'],
])('%s: served without the token, with the page CSP and an ETag', async (path, contentType, excerpt) => {
  const reply = await call(api, path);
  expect(reply.status).toBe(200);
  expect(reply.headers.get('content-type')).toBe(contentType);
  expect(reply.headers.get('content-security-policy')).toBe(PAGE_CSP);
  expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
  expect(reply.headers.get('x-frame-options')).toBe('DENY');
  expect(reply.text).toContain(excerpt);
  const again = await call(api, path, { headers: { 'If-None-Match': reply.headers.get('etag') ?? '' } });
  expect(again.status).toBe(304);
});

test('the page CSP allows only same-origin script, style and fetch, and no inline code', () => {
  const directives = Object.fromEntries(
    PAGE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')] as const),
  );
  expect(directives).toEqual({
    'default-src': "'none'",
    'script-src': "'self'",
    'style-src': "'self'",
    'connect-src': "'self'",
    'img-src': "'self'",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': "'none'",
  });
});

test('the HTML has no inline script or style for the CSP to block', async () => {
  const html = (await call(api, '/')).text;
  expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
});

test('the JSON routes keep the token and their stricter CSP', async () => {
  const reply = await call(api, '/status');
  expect(reply.status).toBe(401);
  expect(reply.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
});

test('/status is memoized per cache entry yet turns stale with the clock and changes with the data', async () => {
  let nowMs = T0;
  const clocked = testApi(db.sql, { now: () => nowMs });
  await writeCycle(db.sql, firingCycle({ cluster: 'memo', atMs: T0 - 10_000, state: 'happy' }));
  await clocked.refresh();
  const first = await call(clocked, '/status?cluster=memo');
  const again = await call(clocked, '/status?cluster=memo');
  expect([again.text, again.headers.get('etag')]).toEqual([first.text, first.headers.get('etag')]);
  expect(first.headers.get('etag')).toBe(await etagOf(first.text));
  nowMs = T0 + 600_000;
  const stale = shape(StatusResponse, (await call(clocked, '/status?cluster=memo')).body);
  expect([stale.health_state, stale.stale_reason]).toEqual(['unknown', 'no_recent_cycle']);
  await writeCycle(db.sql, firingCycle({ cluster: 'memo', atMs: nowMs - 5_000, state: 'critical' }));
  await clocked.refresh();
  expect(shape(StatusResponse, (await call(clocked, '/status?cluster=memo')).body).health_state).toBe('critical');
});
