import { CLUSTER_PARAM, INFINITY, infinityQuery } from './infinity.ts';
import { CLASSIFICATION, colouredColumn, panel, RISK, SEVERITY } from './panels.ts';

/** The Copilot dashboard's tables: issues, remediations, signals and log patterns (see copilot.ts). */

const cluster = { params: CLUSTER_PARAM };

const issueColumns = [
  { selector: 'severity', text: 'Severity', type: 'string' },
  { selector: 'title', text: 'Issue', type: 'string' },
  { selector: 'likely_cause', text: 'Likely cause', type: 'string' },
  { selector: 'first_seen_at', text: 'First seen', type: 'timestamp' },
] as const;

// /status/issues lists critical first, so its first row is the most critical open issue.
export const topIssue = panel('table', {
  title: 'Most critical issue',
  datasource: INFINITY,
  box: { x: 0, y: 5, w: 24, h: 4 },
  targets: [
    infinityQuery({
      route: '/status/issues',
      params: { ...CLUSTER_PARAM, limit: '1' },
      root: 'issues',
      columns: issueColumns,
    }),
  ],
  fieldConfig: { defaults: {}, overrides: [colouredColumn('Severity', SEVERITY)] },
  options: { showHeader: true },
});

export const issues = panel('table', {
  title: 'Issues',
  datasource: INFINITY,
  box: { x: 0, y: 14, w: 12, h: 9 },
  targets: [
    infinityQuery({
      route: '/status/issues',
      params: { ...CLUSTER_PARAM, limit: '20' },
      root: 'issues',
      columns: [
        ...issueColumns.slice(0, 2),
        { selector: 'description', text: 'Description', type: 'string' },
        ...issueColumns.slice(2),
      ],
    }),
  ],
  fieldConfig: { defaults: {}, overrides: [colouredColumn('Severity', SEVERITY)] },
  options: { showHeader: true },
});

export const remediations = panel('table', {
  title: 'Suggested remediations',
  description: 'Only while the assessment matches the current state.',
  datasource: INFINITY,
  box: { x: 12, y: 14, w: 12, h: 9 },
  targets: [
    infinityQuery({
      route: '/status',
      ...cluster,
      root: 'recommended_actions',
      columns: [
        { selector: 'description', text: 'Action', type: 'string' },
        { selector: 'target_service', text: 'Service', type: 'string' },
        { selector: 'action_type', text: 'Kind', type: 'string' },
        { selector: 'risk_level', text: 'Risk', type: 'string' },
        { selector: 'confidence', text: 'Confidence', type: 'number' },
      ],
    }),
  ],
  fieldConfig: {
    defaults: {},
    overrides: [
      colouredColumn('Risk', RISK),
      {
        matcher: { id: 'byName', options: 'Confidence' },
        properties: [
          { id: 'unit', value: 'percentunit' },
          { id: 'min', value: 0 },
          { id: 'max', value: 1 },
          { id: 'custom.cellOptions', value: { type: 'gauge', mode: 'basic' } },
        ],
      },
    ],
  },
  options: { showHeader: true, sortBy: [{ displayName: 'Confidence', desc: true }] },
});

export const signals = panel('table', {
  title: 'Signals',
  description: 'The latest snapshot, classified by the rules of the stored decision (docs/api.md, classification).',
  datasource: INFINITY,
  box: { x: 0, y: 23, w: 24, h: 11 },
  targets: [
    infinityQuery({
      route: '/status/signals',
      ...cluster,
      root: 'signals',
      columns: [
        { selector: 'tier', text: 'Tier', type: 'string' },
        { selector: 'signal', text: 'Signal', type: 'string' },
        { selector: 'value', text: 'Value', type: 'number' },
        { selector: 'unit', text: 'Unit', type: 'string' },
        { selector: 'classification', text: 'Classification', type: 'string' },
        { selector: 'threshold', text: 'Threshold', type: 'number' },
        { selector: 'comparison', text: 'Fires when', type: 'string' },
        { selector: 'rule_id', text: 'Rule', type: 'string' },
        { selector: 'suppressed', text: 'Suppressed', type: 'boolean' },
        { selector: 'missing_reason', text: 'Missing because', type: 'string' },
      ],
    }),
  ],
  fieldConfig: { defaults: { noValue: '—' }, overrides: [colouredColumn('Classification', CLASSIFICATION)] },
  options: { showHeader: true },
});

export const logPatterns = panel('table', {
  title: 'Log patterns (last 15 minutes)',
  datasource: INFINITY,
  box: { x: 0, y: 34, w: 24, h: 7 },
  targets: [
    infinityQuery({
      route: '/status',
      ...cluster,
      root: 'log_patterns',
      columns: [
        { selector: 'pattern', text: 'Pattern', type: 'string' },
        { selector: 'service', text: 'Service', type: 'string' },
        { selector: 'count', text: 'Count', type: 'number' },
        { selector: 'sample_message', text: 'Sample', type: 'string' },
        { selector: 'window_end', text: 'Window end', type: 'timestamp' },
      ],
    }),
  ],
  options: { showHeader: true, sortBy: [{ displayName: 'Count', desc: true }] },
});
