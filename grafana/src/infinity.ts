import type { DataSourceRef } from '@grafana/schema';
import type {
  ClustersResponse,
  IssuesResponse,
  ServicesResponse,
  SignalsResponse,
  StatusResponse,
  SummaryResponse,
  TimelineResponse,
} from '../../src/models/index.ts';

/**
 * Typed Infinity (yesoreyeram-infinity-datasource) queries against the copilot's JSON API. A query names an API
 * route, the array it reads rows from and the fields of each row, all checked by the compiler against the route's
 * response type (src/models/api.ts), so a renamed field breaks `bun run dashboards` instead of a panel.
 * @see https://grafana.com/docs/plugins/yesoreyeram-infinity-datasource/latest/query/backend/
 */

/** Fixed uid, provisioned by grafana/provisioning/datasources/copilot.yaml. */
export const INFINITY: DataSourceRef = { type: 'yesoreyeram-infinity-datasource', uid: 'copilot-api' };

/** The routes a dashboard reads, with the type each answers (the contract test checks the same at run time). */
export interface RouteResponses {
  '/status': StatusResponse;
  '/status/services': ServicesResponse;
  '/status/issues': IssuesResponse;
  '/status/summary': SummaryResponse;
  '/status/signals': SignalsResponse;
  '/status/timeline': TimelineResponse;
  '/clusters': ClustersResponse;
}
export type RoutePath = keyof RouteResponses;

type Depth = [never, 0, 1, 2, 3];

/** Dotted paths to the fields of `T` a column can read, arrays excluded (a column reads one value per row). */
export type FieldPath<T, D extends number = 3> = [D] extends [never]
  ? never
  : T extends object
    ? {
        [K in keyof T & string]: NonNullable<T[K]> extends readonly unknown[]
          ? never
          : NonNullable<T[K]> extends object
            ? `${K}.${FieldPath<NonNullable<T[K]>, Depth[D]>}`
            : K;
      }[keyof T & string]
    : never;

/** Keys of `T` whose value is an array: what a `root_selector` can point at. */
export type ArrayKey<T> = {
  [K in keyof T & string]: NonNullable<T[K]> extends readonly unknown[] ? K : never;
}[keyof T & string];

type Row<T, Root> = Root extends keyof T ? (NonNullable<T[Root]> extends readonly (infer E)[] ? E : never) : T;

/** Infinity's column types (`timestamp` parses ISO 8601). */
export type ColumnType = 'string' | 'number' | 'timestamp' | 'boolean';

export interface Column<R> {
  selector: FieldPath<R>;
  text: string;
  type: ColumnType;
}

/** One Infinity target as it appears in dashboard JSON (field names from the plugin's query model). */
export interface InfinityTarget extends Record<string, unknown> {
  refId: string;
  datasource: DataSourceRef;
  type: 'json';
  source: 'url';
  parser: 'backend';
  format: 'table';
  url: string;
  url_options: { method: 'GET'; data: '' };
  root_selector: string;
  columns: { selector: string; text: string; type: ColumnType }[];
  filters: never[];
}

/** A Grafana template expression, `${name}` or `${name:format}`, written where Grafana interpolates it. */
export function grafanaVariable(expression: string): string {
  return `\${${expression}}`;
}

/** The cluster variable, percent-encoded so a cluster name with `&` or spaces stays one parameter. */
export const CLUSTER_PARAM = { cluster: grafanaVariable('cluster:percentencode') } as const;

/**
 * A query of `route` (relative: the datasource's URL is the API's base) reading rows from `root` (`''`: the body is
 * the one row). Parameter values are Grafana templates and are not encoded again.
 */
export function infinityQuery<P extends RoutePath, Root extends ArrayKey<RouteResponses[P]> | ''>(input: {
  route: P;
  params?: Readonly<Record<string, string>>;
  root: Root;
  columns: readonly Column<Row<RouteResponses[P], Root>>[];
  refId?: string;
}): InfinityTarget {
  const query = Object.entries(input.params ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return {
    refId: input.refId ?? 'A',
    datasource: INFINITY,
    type: 'json',
    source: 'url',
    parser: 'backend',
    format: 'table',
    url: query === '' ? input.route : `${input.route}?${query}`,
    url_options: { method: 'GET', data: '' },
    root_selector: input.root,
    columns: input.columns.map((column) => ({ selector: column.selector, text: column.text, type: column.type })),
    filters: [],
  };
}
