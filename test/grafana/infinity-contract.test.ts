import { afterAll, describe, expect, test } from 'bun:test';
import { type } from 'arktype';
import { DASHBOARDS } from '../../grafana/src/index.ts';
import { grafanaVariable, type RoutePath } from '../../grafana/src/infinity.ts';
import { ROUTES } from '../../src/api/routes.ts';
import {
  ClustersResponse,
  IssuesResponse,
  ServicesResponse,
  SignalsResponse,
  StatusResponse,
  SummaryResponse,
  TimelineResponse,
} from '../../src/models/index.ts';
import { call, SCHEMA_OF_ROUTE, seedTwoClusters, shape, T0, testApi } from '../api/helpers.ts';
import { openPostgres } from '../db/backends.ts';
import { allPanels, enumValues, fieldSchema, infinityTargets, itemSchema, jsonSchemaOf } from './walk.ts';

/**
 * The contract between the Copilot dashboard and the JSON API (Grafana cannot run here): every Infinity URL is a
 * route of src/api/routes.ts, every field a panel reads exists in that route's ArkType schema, every colour mapping
 * covers exactly the values the schema allows, and every URL, variables filled in, answers 200 from a real API.
 */

// Typed by the routes the dashboards may read (grafana/src/infinity.ts): a new one fails to compile until it is here.
const RESPONSE_OF: Readonly<Record<RoutePath, () => unknown>> = {
  '/status': () => StatusResponse.toJsonSchema({ fallback: (ctx) => ctx.base }),
  '/status/services': () => ServicesResponse.toJsonSchema({ fallback: (ctx) => ctx.base }),
  '/status/issues': () => IssuesResponse.toJsonSchema({ fallback: (ctx) => ctx.base }),
  '/status/summary': () => SummaryResponse.toJsonSchema({ fallback: (ctx) => ctx.base }),
  '/status/signals': () => SignalsResponse.toJsonSchema({ fallback: (ctx) => ctx.base }),
  '/status/timeline': () => TimelineResponse.toJsonSchema({ fallback: (ctx) => ctx.base }),
  '/clusters': () => ClustersResponse.toJsonSchema({ fallback: (ctx) => ctx.base }),
};

const isRoutePath = (path: string): path is RoutePath => Object.hasOwn(RESPONSE_OF, path);

const queries = DASHBOARDS.flatMap(({ file, dashboard }) =>
  infinityTargets(dashboard).map((q) => ({ ...q, file, path: q.target.url.split('?')[0] ?? '' })),
);

test('the Copilot dashboard reads the API through Infinity, and only it does', () => {
  expect(new Set(queries.map((q) => q.file))).toEqual(new Set(['copilot.json']));
  expect(queries.length).toBeGreaterThanOrEqual(10);
});

describe.each(queries.map((q) => [`${q.file} ${q.where}: ${q.target.url}`, q] as const))('%s', (_name, q) => {
  test('its URL is a GET route of the API', () => {
    const route = ROUTES.find((r) => r.path === q.path);
    expect(route?.methods).toContain('GET');
    expect(isRoutePath(q.path)).toBe(true);
  });

  test('its root and every column exist in the route schema', () => {
    if (!isRoutePath(q.path)) throw new Error(`${q.path} has no response schema`);
    const body = jsonSchemaOf(RESPONSE_OF[q.path]());
    const rootSchema = fieldSchema(body, q.target.root_selector);
    const rows = q.target.root_selector === '' ? rootSchema : rootSchema && itemSchema(rootSchema);
    expect(rows).not.toBeNull();
    if (!rows) return;
    const missing = q.target.columns.filter((c) => fieldSchema(rows, c.selector) === null).map((c) => c.selector);
    expect(missing).toEqual([]);
  });
});

/** Every value mapping, with the column it colours (by display name) and the panel's query. */
const mappings = DASHBOARDS.flatMap(({ dashboard }) =>
  allPanels(dashboard).flatMap((p) => {
    const targets = infinityTargets({ ...dashboard, panels: [p], templating: { list: [] } });
    const columns = targets.flatMap((t) => t.target.columns.map((c) => ({ ...c, target: t.target })));
    const byName = (name: string) => columns.filter((c) => c.text === name);
    const defaults = (p.fieldConfig?.defaults.mappings ?? []).map((m) => ({
      columns: columns,
      mapping: m,
      fromDefaults: true,
    }));
    const overrides = (p.fieldConfig?.overrides ?? []).flatMap((o) =>
      o.properties
        .filter((prop) => prop.id === 'mappings')
        .flatMap((prop) => (Array.isArray(prop.value) ? prop.value : []))
        .map((m: unknown) => ({ columns: byName(String(o.matcher.options)), mapping: m, fromDefaults: false })),
    );
    return [...defaults, ...overrides].map((m) => ({ panel: p.title ?? '', ...m }));
  }),
);

const ValueMap = type({ type: "'value'", options: 'Record<string, object>' });

test.each(mappings.map((m) => [m.panel, m] as const))(
  '%s: colour mappings cover exactly the values the API sends',
  (_p, m) => {
    const mapping = ValueMap(m.mapping);
    if (mapping instanceof type.errors) throw new Error(mapping.summary);
    let checked = 0;
    for (const column of m.columns) {
      const path = column.target.url.split('?')[0] ?? '';
      if (!isRoutePath(path)) throw new Error(`${path} has no response schema`);
      const root = fieldSchema(jsonSchemaOf(RESPONSE_OF[path]()), column.target.root_selector);
      const rows = column.target.root_selector === '' ? root : root && itemSchema(root);
      const field = rows && fieldSchema(rows, column.selector);
      const values = field ? enumValues(field) : null;
      // A panel-wide mapping also reaches the time and number columns, which it cannot change.
      if (values === null && m.fromDefaults) continue;
      expect({ column: column.text, values }).toEqual({
        column: column.text,
        values: Object.keys(mapping.options).sort(),
      });
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
  },
);

const db = await openPostgres();
await seedTwoClusters(db.sql);
afterAll(() => db.close());

/** Grafana's variables as Grafana would fill them for a 6-hour range on a 1,000-pixel panel. */
function fill(url: string): string {
  return url
    .replaceAll(grafanaVariable('cluster:percentencode'), encodeURIComponent('alpha'))
    .replaceAll(grafanaVariable('__from:date:iso'), new Date(T0 - 6 * 3_600_000).toISOString())
    .replaceAll(grafanaVariable('__to:date:iso'), new Date(T0).toISOString())
    .replaceAll(grafanaVariable('__interval'), '1m');
}

test.each(queries.map((q) => [q.where, q] as const))(
  '%s: the real API answers its URL with 200 and its schema',
  async (_w, q) => {
    const api = testApi(db.sql);
    await api.refresh();
    const url = fill(q.target.url);
    expect(url).not.toContain('$');
    const reply = await call(api, url);
    expect({ url, status: reply.status }).toEqual({ url, status: 200 });
    const schema = SCHEMA_OF_ROUTE[q.path];
    if (!schema) throw new Error(`no schema for ${q.path}`);
    shape(schema, reply.body);
  },
);
