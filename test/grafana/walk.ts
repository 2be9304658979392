import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import { scope, type } from 'arktype';

/** Helpers for the dashboard contract tests: walk panels and targets, resolve fields in a JSON Schema. */

export function allPanels(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((p: Panel | RowPanel) =>
    'panels' in p && Array.isArray(p.panels) ? [p, ...p.panels] : [p],
  );
}

const InfinityTarget = type({
  type: "'json'",
  source: "'url'",
  parser: "'backend'",
  url: 'string',
  root_selector: 'string',
  columns: type({ selector: 'string', text: 'string', type: 'string' }).array(),
});
export type InfinityTarget = typeof InfinityTarget.infer;

/** Every Infinity query of a dashboard (panels and query variables), with where it was found. */
export function infinityTargets(dashboard: Dashboard): { where: string; target: InfinityTarget }[] {
  const fromPanels = allPanels(dashboard).flatMap((p) =>
    (p.targets ?? [])
      .filter((t) => JSON.stringify(t['datasource'] ?? null).includes('infinity'))
      .map((t) => ({ where: `panel "${p.title}"`, raw: t })),
  );
  const fromVariables = (dashboard.templating?.list ?? []).flatMap((v) => {
    const query = v.query;
    return typeof query === 'object' && query !== null && 'infinityQuery' in query
      ? [{ where: `variable ${v.name}`, raw: query['infinityQuery'] }]
      : [];
  });
  return [...fromPanels, ...fromVariables].map(({ where, raw }) => {
    const target = InfinityTarget(raw);
    if (target instanceof type.errors) throw new Error(`${where}: not an Infinity JSON query: ${target.summary}`);
    return { where, target };
  });
}

/** The parts of JSON Schema the walk reads, validated rather than cast (open: other keywords pass). */
const schemas = scope({
  node: {
    'type?': 'string | string[]',
    'properties?': { '[string]': 'node' },
    'items?': 'node',
    'anyOf?': 'node[]',
    'allOf?': 'node[]',
    'enum?': 'unknown[]',
    'const?': 'unknown',
  },
}).export();
export type JsonSchema = typeof schemas.node.infer;

/** Validate ArkType's `toJsonSchema()` output as the JSON Schema the walk reads. */
export function jsonSchemaOf(json: unknown): JsonSchema {
  const out = schemas.node(json);
  if (out instanceof type.errors) throw new Error(`unexpected JSON Schema: ${out.summary}`);
  return out;
}

/** The branches a value of `schema` may take (unions flattened; null included). */
function branches(schema: JsonSchema): JsonSchema[] {
  return [...(schema.anyOf ?? []).flatMap(branches), ...(schema.allOf ?? []), ...(schema.anyOf ? [] : [schema])];
}

/** The schema of a dotted field path, or null when some part of it does not exist in any branch. */
export function fieldSchema(schema: JsonSchema, path: string): JsonSchema | null {
  if (path === '') return schema;
  const [head = '', ...rest] = path.split('.');
  for (const branch of branches(schema)) {
    const next = branch.properties?.[head];
    if (next) return fieldSchema(next, rest.join('.'));
  }
  return null;
}

/** The element schema of an array-valued schema, or null when it is not an array. */
export function itemSchema(schema: JsonSchema): JsonSchema | null {
  return branches(schema).find((b) => b.items !== undefined)?.items ?? null;
}

/** The values an enum-typed field may take (`const`s and booleans included), or null for open types. */
export function enumValues(schema: JsonSchema): string[] | null {
  const values = branches(schema).flatMap((b) => {
    if (b.enum) return b.enum.map(String);
    if (b.const !== undefined) return [String(b.const)];
    if (b.type === 'boolean') return ['true', 'false'];
    if (b.type === 'null') return [];
    return [null];
  });
  return values.includes(null) ? null : values.filter((v): v is string => v !== null).sort();
}
