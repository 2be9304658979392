import { afterAll, expect, test } from 'bun:test';
import fc from 'fast-check';
import { ROUTES } from '../../src/api/index.ts';
import { openPostgres } from '../db/backends.ts';
import { apiError, call, notImplemented, SCHEMA_OF_ROUTE, seedTwoClusters, shape, testApi } from './helpers.ts';

const db = await openPostgres();
const { assessmentId } = await seedTwoClusters(db.sql);
afterAll(() => db.close());
const api = testApi(db.sql, { configuredClusters: ['gamma'] });
await api.refresh();

const PARAMS = ['cluster', 'start', 'end', 'step', 'limit', 'cursor', 'severity', 'tier', 'classification', 'x', ''];
const VALUES = [
  'alpha',
  'beta',
  'gamma',
  '2024-01-15T11:00:00Z',
  '2024-01-15T12:00:00.123+02:00',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '-1',
  '0',
  '1',
  '500',
  '99999999999',
  '5m',
  '1d',
  'critical',
  'worker',
  'NaN',
  '',
];
const value = fc.oneof(
  { arbitrary: fc.constantFrom(...VALUES), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
);
const name = fc.oneof(
  { arbitrary: fc.constantFrom(...PARAMS), weight: 5 },
  { arbitrary: fc.string({ maxLength: 10 }), weight: 1 },
);
// Mostly few, plausible parameters, so that most requests get past validation and reach the handlers.
const query = fc.array(fc.tuple(name, value), { maxLength: 3 });
const knownPath = fc.constantFrom(...ROUTES.map((r) => r.path.replace(':id', assessmentId)), '/assessments/x');
const segment = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('status', 'assessments', '%zz', '..', '%2F'));
const path = fc.oneof(
  { arbitrary: knownPath, weight: 4 },
  {
    arbitrary: fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map((parts) => `/${parts.map(encodePathPart).join('/')}`),
    weight: 1,
  },
);
const method = fc.oneof(
  { arbitrary: fc.constant('GET'), weight: 6 },
  { arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), weight: 2 },
);

/** Keep `%`-sequences as generated (so malformed escapes reach the router) but make the rest URL-safe. */
function encodePathPart(part: string): string {
  return /^%/.test(part) ? part : encodeURIComponent(part);
}

function routeOf(pathname: string): string | null {
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    const parts = pathname.split('/');
    if (pattern.length === parts.length && pattern.every((p, i) => p.startsWith(':') || p === parts[i])) {
      return route.path;
    }
  }
  return null;
}

test('no input yields a 5xx; every error matches the error schema; every 200 matches its route schema', async () => {
  await fc.assert(
    fc.asyncProperty(path, query, method, async (p, q, m) => {
      const search = new URLSearchParams(q).toString();
      const target = `${p}${search ? `?${search}` : ''}`;
      let request: Request;
      try {
        request = new Request(`http://test${target}`, { method: m });
      } catch {
        return; // Not a URL a server could receive.
      }
      const reply = await call(api, `${new URL(request.url).pathname}${new URL(request.url).search}`, { method: m });
      const route = routeOf(new URL(request.url).pathname);
      // The only 5xx answers by design: 501 from POST /actions, and 503 from /readyz while configured gamma has no
      // cycle (the store is up, so no other route may answer 503).
      const designed =
        (reply.status === 501 && route === '/actions' && m === 'POST') || (reply.status === 503 && route === '/readyz');
      expect({ target, m, status: reply.status, ok: reply.status < 500 || designed }).toMatchObject({ ok: true });
      if (reply.status === 501) notImplemented(reply.body);
      if (reply.status >= 500) return;
      if (reply.status >= 400 && m !== 'HEAD') apiError(reply.body);
      const schema = route ? SCHEMA_OF_ROUTE[route] : undefined;
      if (reply.status === 200 && m === 'GET' && schema) shape((data) => schema(data), reply.body);
    }),
    { numRuns: 600 },
  );
});
