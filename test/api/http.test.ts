import { afterAll, describe, expect, test } from 'bun:test';
import { StatusResponse } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { apiError, call, seedTwoClusters, shape, testApi } from './helpers.ts';

const db = await openPostgres();
await seedTwoClusters(db.sql);
afterAll(() => db.close());

const GRAFANA = 'https://grafana.example.com';
const TOKEN = 'a-test-token-of-32-characters-ok';
const api = testApi(db.sql, { corsOrigins: [GRAFANA], bearerToken: TOKEN });
await api.refresh();
const auth = { Authorization: `Bearer ${TOKEN}` };

describe('CORS', () => {
  test('a preflight from a configured origin is answered with the allowed methods and headers', async () => {
    const reply = await call(api, '/status', {
      method: 'OPTIONS',
      headers: {
        Origin: GRAFANA,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get('access-control-allow-origin')).toBe(GRAFANA);
    expect(reply.headers.get('access-control-allow-methods')).toContain('GET');
    expect(reply.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(reply.headers.get('vary')).toBe('Origin');
    expect(reply.body).toBeNull();
  });

  test('another origin gets no CORS headers, on the preflight and on the request', async () => {
    const pre = await call(api, '/status', { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const get = await call(api, '/status', { headers: { ...auth, Origin: 'https://evil.example' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('a request from the configured origin carries CORS headers, errors included', async () => {
    const ok = await call(api, '/status', { headers: { ...auth, Origin: GRAFANA } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(GRAFANA);
    expect(ok.headers.get('access-control-expose-headers')).toContain('ETag');
    const denied = await call(api, '/status', { headers: { Origin: GRAFANA } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(GRAFANA);
  });
});

describe('bearer token', () => {
  test.each([
    ['no header', {}],
    ['a wrong token', { Authorization: 'Bearer a-test-token-of-32-characters-no' }],
    ['a prefix of the token', { Authorization: `Bearer ${TOKEN.slice(0, 20)}` }],
    ['another scheme', { Authorization: `Basic ${TOKEN}` }],
  ])('%s is a 401 with WWW-Authenticate', async (_name, headers) => {
    const reply = await call(api, '/status', { headers });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="copilot"');
    expect(apiError(reply.body).error.code).toBe('AUTH_FAILED');
  });

  test('the right token passes, in any case of the scheme; probes need none', async () => {
    expect((await call(api, '/status', { headers: auth })).status).toBe(200);
    expect((await call(api, '/status', { headers: { Authorization: `bearer ${TOKEN}` } })).status).toBe(200);
    expect((await call(api, '/healthz')).status).toBe(200);
    expect((await call(api, '/metrics')).status).toBe(401);
  });
});

describe('conditional GET', () => {
  test('If-None-Match with the current ETag is a 304 without a body; a change gives a new ETag', async () => {
    const first = await call(api, '/status?cluster=alpha', { headers: auth });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    shape(StatusResponse, first.body);
    const again = await call(api, '/status?cluster=alpha', { headers: { ...auth, 'If-None-Match': `W/${etag}` } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    const other = await call(api, '/status?cluster=beta', { headers: { ...auth, 'If-None-Match': etag ?? '' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
  });
});

describe('bad requests', () => {
  test('a declared oversized body is a 413', async () => {
    const reply = await call(api, '/actions', {
      method: 'POST',
      headers: { ...auth, 'Content-Length': String(1024 * 1024) },
      body: 'x'.repeat(1024 * 1024),
    });
    expect(reply.status).toBe(413);
    expect(apiError(reply.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('an oversized streamed body (no Content-Length) is a 413', async () => {
    const chunk = new Uint8Array(16 * 1024);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const reply = await call(api, '/actions', { method: 'POST', headers: auth, body });
    expect(reply.status).toBe(413);
    apiError(reply.body);
  });

  test.each([
    ['DELETE', '/status'],
    ['PUT', '/clusters'],
    ['GET', '/actions'],
    ['POST', '/status/timeline'],
  ])('%s %s is a 405 with Allow', async (method, path) => {
    const reply = await call(api, path, { method, headers: auth });
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toContain('OPTIONS');
    expect(apiError(reply.body).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  test('HEAD answers like GET without a body', async () => {
    const reply = await call(api, '/status', { method: 'HEAD', headers: auth });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
    expect(reply.headers.get('etag')).not.toBeNull();
  });

  test('unknown and repeated parameters, unknown routes and bad percent-encoding are 4xx JSON', async () => {
    const cases: [string, number][] = [
      ['/status?clustr=alpha', 400],
      ['/status?cluster=alpha&cluster=beta', 400],
      ['/status/issues?limit=101', 400],
      ['/status/issues?severity=fatal', 400],
      ['/status/signals?tier=everything', 400],
      ['/nope', 404],
      ['/status/', 404],
      ['/assessments/%E0%A4%A', 400],
    ];
    for (const [path, status] of cases) {
      const reply = await call(api, path, { headers: auth });
      expect([path, reply.status]).toEqual([path, status]);
      apiError(reply.body);
    }
  });

  test('every response carries the security headers', async () => {
    for (const path of ['/status', '/nope', '/healthz']) {
      const reply = await call(api, path, { headers: auth });
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(reply.headers.get('cache-control')).toBe('no-cache');
    }
  });
});

test('bad options are refused at construction', () => {
  expect(() => testApi(db.sql, { bearerToken: 'short' })).toThrow('16+');
  expect(() => testApi(db.sql, { corsOrigins: ['grafana.example.com'] })).toThrow('origin');
  expect(() => testApi(db.sql, { staleAfterMs: 0 })).toThrow('staleAfterMs');
});
