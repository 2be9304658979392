import type { Dashboard, Panel } from '@grafana/schema';
import { DASHBOARD_TITLE, linksFrom, SCHEMA_VERSION, UID } from './common.ts';
import { layout } from './panels.ts';
import { JOB_VARIABLE, type Naming, promql, timeseries } from './prometheus.ts';
import { namingRows } from './server.ts';

/**
 * "DSQL Persistence": the Aurora DSQL plugin's pool, reservoir and OCC metrics and Temporal's persistence calls,
 * only the names the signal catalog reads (src/signals/catalog-amplifiers.ts). The plugin creates most of them on
 * first use (src/signals/catalog-conditional.ts), so an empty panel means "has not happened", or another store.
 */

const W = 8;
const H = 7;

export function dsqlPanels(naming: Naming, y: number): Panel[] {
  const q = promql(naming);
  const at = (i: number) => ({ x: (i % 3) * W, y: y + Math.floor(i / 3) * H, w: W, h: H });
  const specs = [
    {
      title: 'Connection pool: in use and max open',
      unit: 'short',
      series: [
        { expr: q.gauge({ name: 'dsql_pool_in_use', by: 'service_name' }), legend: '{{service_name}} in use' },
        { expr: q.gauge({ name: 'dsql_pool_max_open', by: 'service_name' }), legend: '{{service_name}} max open' },
      ],
    },
    {
      title: 'Pool waits',
      description: 'Checkouts that waited for a connection, and how long the slowest 5% waited.',
      unit: 'ops',
      series: [{ expr: q.rate({ name: 'dsql_pool_wait' }), legend: 'waits/s' }],
    },
    {
      title: 'Pool wait p95',
      unit: 'ms',
      series: [{ expr: q.quantileMs({ quantile: 0.95, name: 'dsql_pool_wait_duration' }), legend: 'p95' }],
    },
    {
      title: 'Reservoir refills and discards',
      unit: 'ops',
      series: [
        { expr: q.rate({ name: 'dsql_reservoir_refills' }), legend: 'refills/s (connections opened)' },
        { expr: q.rate({ name: 'dsql_reservoir_discards' }), legend: 'discards/s (connections closed)' },
      ],
    },
    {
      title: 'OCC conflicts and retries',
      unit: 'ops',
      series: [
        { expr: q.rate({ name: 'dsql_tx_conflict' }), legend: 'conflicts/s' },
        { expr: q.rate({ name: 'dsql_tx_retry' }), legend: 'retries/s' },
      ],
    },
    {
      title: 'Persistence errors by type',
      unit: 'ops',
      series: [
        { expr: q.rate({ name: 'persistence_error_with_type', by: 'error_type' }), legend: '{{error_type}}' },
        { expr: q.rate({ name: 'persistence_errors' }), legend: 'all errors' },
      ],
    },
    {
      title: 'Persistence requests by operation',
      unit: 'reqps',
      series: [{ expr: q.rate({ name: 'persistence_requests', by: 'operation' }), legend: '{{operation}}' }],
    },
    {
      title: 'Persistence latency p95/p99',
      unit: 'ms',
      series: [0.95, 0.99].map((quantile) => ({
        expr: q.quantileMs({ quantile, name: 'persistence_latency', matchers: 'service_name="history"' }),
        legend: `history p${quantile * 100}`,
      })),
    },
    {
      title: 'SQL pool (PostgreSQL, MySQL stores)',
      description: 'Temporal’s own SQL pool gauges, for clusters not on the DSQL plugin.',
      unit: 'short',
      series: [
        { expr: q.gauge({ name: 'persistence_sql_in_use' }), legend: 'in use' },
        { expr: q.gauge({ name: 'persistence_sql_max_open_conn' }), legend: 'max open' },
      ],
    },
  ];
  return specs.map((spec, i) => timeseries({ ...spec, box: at(i) }));
}

export const dsqlDashboard: Dashboard = {
  uid: UID.dsql,
  title: DASHBOARD_TITLE.dsql,
  description: 'Aurora DSQL persistence for Temporal: pool, reservoir, OCC conflicts and persistence calls.',
  tags: ['temporal', 'dsql', 'persistence'],
  editable: false,
  graphTooltip: 1,
  refresh: '30s',
  time: { from: 'now-1h', to: 'now' },
  timezone: 'utc',
  schemaVersion: SCHEMA_VERSION,
  links: linksFrom('dsql'),
  templating: { list: [JOB_VARIABLE] },
  panels: layout(namingRows(dsqlPanels)),
};
