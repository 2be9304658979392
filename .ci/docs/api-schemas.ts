import type { Type } from 'arktype';
import * as models from '../../src/models/index.ts';
import { anchor, code, document, generatedBanner, table } from './markdown.ts';

/** The JSON Schema keywords the walk reads; ArkType emits others (`$schema`, `description`), which it ignores. */
interface Node {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  anyOf?: Node[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  additionalProperties?: Node | boolean;
}

/** Each route's response schema (docs/api.md lists the routes; the route tests validate against these). */
const ROUTES: readonly { route: string; name: string; schema: Type }[] = [
  { route: 'GET /status', name: 'StatusResponse', schema: models.StatusResponse },
  { route: 'GET /status/services', name: 'ServicesResponse', schema: models.ServicesResponse },
  { route: 'GET /status/issues', name: 'IssuesResponse', schema: models.IssuesResponse },
  { route: 'GET /status/summary', name: 'SummaryResponse', schema: models.SummaryResponse },
  { route: 'GET /status/signals', name: 'SignalsResponse', schema: models.SignalsResponse },
  { route: 'GET /status/timeline', name: 'TimelineResponse', schema: models.TimelineResponse },
  { route: 'GET /clusters', name: 'ClustersResponse', schema: models.ClustersResponse },
  { route: 'GET /assessments/:id', name: 'AssessmentResponse', schema: models.AssessmentResponse },
  { route: 'GET /healthz', name: 'HealthzResponse', schema: models.HealthzResponse },
  { route: 'GET /readyz', name: 'ReadyzResponse', schema: models.ReadyzResponse },
  { route: 'POST /actions (501)', name: 'ActionsNotImplemented', schema: models.ActionsNotImplemented },
  { route: 'every 4xx and 5xx', name: 'ApiError', schema: models.ApiError },
];

/** Shapes that recur across responses: documented once, linked from every field that holds one. */
const COMPONENTS: readonly { name: string; schema: Type }[] = [
  { name: 'AmplifierSignals', schema: models.AmplifierSignals },
  { name: 'Assessment', schema: models.Assessment },
  { name: 'AssessmentView', schema: models.AssessmentView },
  { name: 'Bottleneck', schema: models.Bottleneck },
  { name: 'ClusterSummary', schema: models.ClusterSummary },
  { name: 'ContributingFactor', schema: models.ContributingFactor },
  { name: 'Decision', schema: models.Decision },
  { name: 'LogPattern', schema: models.LogPattern },
  { name: 'ModelUsage', schema: models.ModelUsage },
  { name: 'NearestEscalation', schema: models.NearestEscalation },
  { name: 'PrimarySignals', schema: models.PrimarySignals },
  { name: 'ProgressEvidence', schema: models.ProgressEvidence },
  { name: 'RuleFinding', schema: models.RuleFinding },
  { name: 'ServiceStatus', schema: models.ServiceStatus },
  { name: 'SignalReading', schema: models.SignalReading },
  { name: 'StoredAction', schema: models.StoredAction },
  { name: 'StoredIssue', schema: models.StoredIssue },
  { name: 'SuggestedAction', schema: models.SuggestedAction },
  { name: 'TimelinePoint', schema: models.TimelinePoint },
  { name: 'WorkerAdvisory', schema: models.WorkerAdvisory },
];

/** Narrowed numbers (finite, non-negative) carry predicates JSON Schema cannot say; their base is what a client sees. */
function jsonSchemaOf(schema: Type): Node {
  const { $schema: _ignored, ...rest } = schema.toJsonSchema({ fallback: (ctx) => ctx.base }) as Node & {
    $schema?: string;
  };
  return rest;
}

const ISO_PATTERN = jsonSchemaOf(models.IsoTime).pattern;
const componentByJson = new Map(COMPONENTS.map((c) => [JSON.stringify(jsonSchemaOf(c.schema)), c.name] as const));

function componentOf(node: Node, self: string | null): string | null {
  const name = componentByJson.get(JSON.stringify(node)) ?? null;
  return name === self ? null : name;
}

function numberText(node: Node): string {
  const base = node.type === 'integer' ? 'integer' : 'number';
  if (node.minimum !== undefined && node.maximum !== undefined) return `${base} ${node.minimum}–${node.maximum}`;
  if (node.minimum !== undefined) return `${base} ≥ ${node.minimum}`;
  if (node.maximum !== undefined) return `${base} ≤ ${node.maximum}`;
  return base;
}

/** A field's type in words; `self` keeps a component from linking to itself at its own top level. */
function typeText(node: Node, self: string | null): string {
  const component = componentOf(node, self);
  if (component !== null) return `[${component}](#${anchor(component)})`;
  if (node.anyOf) return node.anyOf.map((branch) => typeText(branch, self)).join(' | ');
  if (node.enum) return node.enum.map((value) => code(JSON.stringify(value))).join(' | ');
  if (node.const !== undefined) return code(JSON.stringify(node.const));
  switch (node.type) {
    case 'string':
      if (node.pattern !== undefined && node.pattern === ISO_PATTERN) return 'ISO 8601 time';
      return node.minLength === 1 ? 'non-empty string' : 'string';
    case 'number':
    case 'integer':
      return numberText(node);
    case 'boolean':
    case 'null':
      return node.type;
    case 'array':
      return node.items ? `${typeText(node.items, self)}[]` : 'array';
    case 'object':
      if (node.properties) return 'object';
      if (typeof node.additionalProperties === 'object') {
        return `map of string to ${typeText(node.additionalProperties, self)}`;
      }
      return 'object';
    default:
      throw new Error(`unexpected JSON Schema node: ${JSON.stringify(node).slice(0, 200)}`);
  }
}

/** The object branches of a field whose fields deserve their own rows (not components, which have a section). */
function nestedObjects(node: Node, self: string | null): { suffix: string; node: Node }[] {
  if (componentOf(node, self) !== null) return [];
  if (node.anyOf) return node.anyOf.flatMap((branch) => nestedObjects(branch, self));
  if (node.type === 'array' && node.items) {
    return nestedObjects(node.items, self).map((n) => ({ ...n, suffix: `[]${n.suffix}` }));
  }
  if (node.type === 'object' && node.properties) return [{ suffix: '', node }];
  return [];
}

function rows(node: Node, prefix: string, self: string | null): string[][] {
  const required = new Set(node.required ?? []);
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    const row = [code(path), typeText(child, self), required.has(key) ? 'yes' : 'no'];
    const nested = nestedObjects(child, self).flatMap((n) => rows(n.node, `${path}${n.suffix}.`, self));
    return [row, ...nested];
  });
}

function section(title: string, name: string, schema: Type, self: string | null): string[] {
  const node = jsonSchemaOf(schema);
  const body = node.properties ? table(['field', 'type', 'required'], rows(node, '', self)) : typeText(node, self);
  return [`### ${title}`, `Schema \`${name}\` (\`src/models\`).`, body];
}

/** docs/api-schemas.md: every API response's fields, walked from the ArkType schemas' JSON Schema. */
export function renderApiSchemas(): string {
  return document([
    '# API response schemas',
    generatedBanner('the ArkType schemas in `src/models/api.ts`, `src/models/api-misc.ts` and the types they use'),
    'The fields of every JSON API response, as the API validates them before answering. Routes, parameters, ' +
      'errors and semantics: [api.md](api.md). A `null` value means "no data", never zero. Times are ISO 8601 UTC. ' +
      'Shapes used by several responses are listed once under "Shared shapes" and linked.',
    '## Routes',
    ...ROUTES.flatMap((r) => section(r.route, r.name, r.schema, null)),
    '## Shared shapes',
    ...COMPONENTS.flatMap((c) => section(c.name, c.name, c.schema, c.name)),
  ]);
}
