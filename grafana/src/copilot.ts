import type { Dashboard, VariableModel } from '@grafana/schema';
import { VariableRefresh } from '@grafana/schema';
import { DASHBOARD_TITLE, linksFrom, SCHEMA_VERSION, UID } from './common.ts';
import { issues, logPatterns, remediations, signals, topIssue } from './copilot-tables.ts';
import { CLUSTER_PARAM, grafanaVariable, INFINITY, infinityQuery } from './infinity.ts';
import {
  colouredColumn,
  DATA_QUALITY,
  HEALTH_STATE,
  layout,
  panel,
  STALENESS,
  statOptions,
  valueMapping,
} from './panels.ts';

/**
 * "Temporal SRE Copilot": everything the copilot decided and explained for one cluster, read from its JSON API.
 * Grafana computes nothing here (design principle 5): each state, colour and sentence is the API's.
 */

/** Filled from `GET /clusters`; the API's default cluster first (it lists configured clusters first). */
const CLUSTER_VARIABLE: VariableModel = {
  name: 'cluster',
  label: 'Cluster',
  type: 'query',
  datasource: INFINITY,
  query: {
    queryType: 'infinity',
    refId: 'variable',
    infinityQuery: infinityQuery({
      route: '/clusters',
      root: 'clusters',
      columns: [{ selector: 'name', text: 'name', type: 'string' }],
    }),
  },
  refresh: VariableRefresh.onDashboardLoad,
  includeAll: false,
  multi: false,
};

const cluster = { params: CLUSTER_PARAM };

const state = panel('stat', {
  title: 'Health state',
  description: 'Decided by the rules; unknown when the copilot is blind or its latest cycle is stale.',
  datasource: INFINITY,
  box: { x: 0, y: 0, w: 6, h: 5 },
  targets: [
    infinityQuery({
      route: '/status',
      ...cluster,
      root: '',
      columns: [{ selector: 'health_state', text: 'State', type: 'string' }],
    }),
  ],
  fieldConfig: { defaults: { mappings: [valueMapping(HEALTH_STATE)] }, overrides: [] },
  options: statOptions({ colorMode: 'background' }),
});

// The API has no assessment-level confidence (docs/api.md, gaps): what the rules could see is the honest stand-in.
const confidence = panel('stat', {
  title: 'Confidence: data quality',
  description: 'How much of the primary signals the rules had: complete, partial, or blind.',
  datasource: INFINITY,
  box: { x: 6, y: 0, w: 4, h: 5 },
  targets: [
    infinityQuery({
      route: '/status',
      ...cluster,
      root: '',
      columns: [{ selector: 'data_quality', text: 'Data quality', type: 'string' }],
    }),
  ],
  fieldConfig: { defaults: { mappings: [valueMapping(DATA_QUALITY)] }, overrides: [] },
  options: statOptions({ colorMode: 'background' }),
});

const freshness = panel('stat', {
  title: 'As of',
  description: 'When the decision shown was made, until when it counts as fresh, and why it is stale if it is.',
  datasource: INFINITY,
  box: { x: 10, y: 0, w: 6, h: 5 },
  targets: [
    infinityQuery({
      route: '/status',
      ...cluster,
      root: '',
      columns: [
        { selector: 'stale', text: 'Staleness', type: 'string' },
        { selector: 'as_of', text: 'As of', type: 'string' },
        { selector: 'fresh_until', text: 'Fresh until', type: 'string' },
        { selector: 'stale_reason', text: 'Stale because', type: 'string' },
      ],
    }),
  ],
  fieldConfig: { defaults: { noValue: '—' }, overrides: [colouredColumn('Staleness', STALENESS)] },
  options: { ...statOptions({ colorMode: 'none' }), orientation: 'vertical' },
});

const summary = panel('table', {
  title: 'Summary',
  datasource: INFINITY,
  box: { x: 16, y: 0, w: 8, h: 5 },
  targets: [
    infinityQuery({
      route: '/status/summary',
      ...cluster,
      root: '',
      columns: [
        { selector: 'summary', text: 'Summary', type: 'string' },
        { selector: 'source', text: 'Written by', type: 'string' },
        { selector: 'explainer', text: 'Explainer', type: 'string' },
      ],
    }),
  ],
  fieldConfig: { defaults: { custom: { cellOptions: { type: 'auto', wrapText: true } } }, overrides: [] },
  options: { showHeader: true, cellHeight: 'lg' },
});

// One bucket per `$__interval` (at least 30 s). Grafana may round it below range / 500, and Infinity does not follow
// `next_cursor`, so the route raises the step until the range fits in `limit` buckets: one request fills the panel.
const timeline = panel('state-timeline', {
  title: 'Health timeline',
  datasource: INFINITY,
  box: { x: 0, y: 9, w: 24, h: 5 },
  interval: '30s',
  maxDataPoints: 500,
  targets: [
    infinityQuery({
      route: '/status/timeline',
      params: {
        ...CLUSTER_PARAM,
        start: grafanaVariable('__from:date:iso'),
        end: grafanaVariable('__to:date:iso'),
        step: grafanaVariable('__interval'),
        limit: '500',
      },
      root: 'timeline',
      columns: [
        { selector: 'at', text: 'Time', type: 'timestamp' },
        { selector: 'health_state', text: 'State', type: 'string' },
      ],
    }),
  ],
  fieldConfig: { defaults: { mappings: [valueMapping(HEALTH_STATE)] }, overrides: [] },
  options: { mergeValues: true, showValue: 'auto', rowHeight: 0.9, legend: { showLegend: false } },
});

export const copilotDashboard: Dashboard = {
  uid: UID.copilot,
  title: DASHBOARD_TITLE.copilot,
  description: 'What the copilot decided for a Temporal cluster, why, and what to do. Rules decide, AI explains.',
  tags: ['temporal', 'copilot', 'sre'],
  editable: false,
  graphTooltip: 1,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  timezone: 'utc',
  schemaVersion: SCHEMA_VERSION,
  links: linksFrom('copilot'),
  templating: { list: [CLUSTER_VARIABLE] },
  panels: layout([
    state,
    confidence,
    freshness,
    summary,
    topIssue,
    timeline,
    issues,
    remediations,
    signals,
    logPatterns,
  ]),
};
