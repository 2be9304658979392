import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import { DASHBOARD_TITLE, linksFrom, SCHEMA_VERSION, UID } from './common.ts';
import { layout, row } from './panels.ts';
import { JOB_VARIABLE, NAMINGS, type Naming, promql, timeseries } from './prometheus.ts';

/**
 * "Temporal Server Health": the server metrics behind the copilot's primary signals, for the reader who wants the
 * raw series. Selectors follow the signal catalog (src/signals/catalog-primary.ts), so the panels show what the
 * rules read: frontend latency without long polls, history's task processing, matching's backlog.
 */

const W = 8;
const H = 7;

/** Panels for one naming, laid out from `y`. */
export function serverPanels(naming: Naming, y: number): Panel[] {
  const q = promql(naming);
  const at = (i: number) => ({ x: (i % 3) * W, y: y + Math.floor(i / 3) * H, w: W, h: H });
  const specs = [
    {
      title: 'Forward progress: state updates and completions',
      unit: 'ops',
      series: [
        { expr: q.observations({ name: 'state_transition_count' }), legend: 'mutable-state updates/s' },
        { expr: q.rate({ name: 'workflow_success' }), legend: 'workflows completed/s' },
      ],
    },
    {
      title: 'Workflow failures and timeouts',
      unit: 'ops',
      series: [
        { expr: q.rate({ name: 'workflow_failed' }), legend: 'failed/s' },
        { expr: q.rate({ name: 'workflow_timeout' }), legend: 'timed out/s' },
      ],
    },
    {
      title: 'Requests and errors by service',
      unit: 'reqps',
      series: [
        { expr: q.rate({ name: 'service_requests', by: 'service_name' }), legend: '{{service_name}} requests' },
        { expr: q.rate({ name: 'service_errors', by: 'service_name' }), legend: '{{service_name}} errors' },
      ],
    },
    {
      title: 'Frontend latency p95/p99 (long polls excluded)',
      unit: 'ms',
      series: [0.95, 0.99].map((quantile) => ({
        expr: q.quantileMs({
          quantile,
          name: 'service_latency',
          matchers: 'service_name="frontend", operation!~"Poll.*"',
        }),
        legend: `p${quantile * 100}`,
      })),
    },
    {
      title: 'History task processing',
      unit: 'ops',
      series: [{ expr: q.rate({ name: 'task_requests', matchers: 'service_name="history"' }), legend: 'tasks/s' }],
    },
    {
      title: 'History task queue latency p95',
      unit: 'ms',
      series: [
        {
          expr: q.quantileMs({ quantile: 0.95, name: 'task_latency_queue', matchers: 'service_name="history"' }),
          legend: 'p95',
        },
      ],
    },
    {
      title: 'Matching: polls',
      unit: 'ops',
      series: [
        { expr: q.rate({ name: 'poll_success', matchers: 'service_name="matching"' }), legend: 'polls with a task/s' },
        { expr: q.rate({ name: 'poll_timeouts', matchers: 'service_name="matching"' }), legend: 'empty polls/s' },
      ],
    },
    {
      title: 'Matching: backlog',
      unit: 'short',
      series: [
        {
          expr: q.gauge({ name: 'approximate_backlog_count', matchers: 'service_name="matching"' }),
          legend: 'tasks waiting',
        },
        {
          expr: q.gauge({
            name: 'approximate_backlog_age_seconds',
            matchers: 'service_name="matching"',
            aggregation: 'max',
          }),
          legend: 'oldest waiting (s)',
        },
      ],
    },
    {
      title: 'Schedule-to-start latency p95',
      unit: 'ms',
      series: [
        {
          expr: q.quantileMs({ quantile: 0.95, name: 'task_schedule_to_start_latency', by: 'task_type' }),
          legend: '{{task_type}}',
        },
      ],
    },
    {
      title: 'Persistence latency p95 by operation',
      unit: 'ms',
      series: [
        {
          expr: q.quantileMs({ quantile: 0.95, name: 'persistence_latency', by: 'operation' }),
          legend: '{{operation}}',
        },
      ],
    },
    {
      title: 'Shard churn',
      unit: 'ops',
      series: [
        { expr: q.rate({ name: 'sharditem_created_count', window: '5m' }), legend: 'shards acquired/s' },
        { expr: q.rate({ name: 'sharditem_removed_count', window: '5m' }), legend: 'shards released/s' },
      ],
    },
    {
      title: 'Goroutines and pending requests',
      unit: 'short',
      series: [
        { expr: q.gauge({ name: 'num_goroutines', by: 'service_name' }), legend: '{{service_name}} goroutines' },
        { expr: q.gauge({ name: 'service_pending_requests', by: 'service_name' }), legend: '{{service_name}} pending' },
      ],
    },
  ];
  return specs.map((spec, i) => timeseries({ ...spec, box: at(i) }));
}

/** The first naming's row open, the others collapsed (their panels inside the row, as Grafana stores them). */
export function namingRows(build: (naming: Naming, y: number) => Panel[]): (Panel | RowPanel)[] {
  const [first, ...rest] = NAMINGS;
  if (!first) return [];
  const open = build(first, 1);
  const bottom = Math.max(...open.map((p) => (p.gridPos?.y ?? 0) + (p.gridPos?.h ?? 0)));
  return [
    row(first.title, 0),
    ...open,
    ...rest.map((naming, i) =>
      row(naming.title, bottom + i, { collapsed: true, panels: build(naming, bottom + i + 1) }),
    ),
  ];
}

export const serverDashboard: Dashboard = {
  uid: UID.server,
  title: DASHBOARD_TITLE.server,
  description: 'Temporal server metrics behind the copilot’s signals; open the row of your exporter’s naming.',
  tags: ['temporal', 'server'],
  editable: false,
  graphTooltip: 1,
  refresh: '30s',
  time: { from: 'now-1h', to: 'now' },
  timezone: 'utc',
  schemaVersion: SCHEMA_VERSION,
  links: linksFrom('server'),
  templating: { list: [JOB_VARIABLE] },
  panels: layout(namingRows(serverPanels)),
};
