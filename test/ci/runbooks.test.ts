import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ALL_RULE_IDS, CRITICAL_RULE_IDS } from '../../.ci/docs/rules.ts';
import { BAND_PROFILES } from '../../src/health/thresholds.ts';

const ROOT = resolve(import.meta.dir, '..', '..');
const RUNBOOKS = join(ROOT, 'docs/runbooks');
const SECTIONS = [
  'What the copilot saw',
  'What it means in Temporal terms',
  'First five minutes',
  'How to confirm',
  'Mitigations',
  'When to escalate',
];

const runbooks = readdirSync(RUNBOOKS)
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .map((name) => ({ rule: name.slice(0, -'.md'.length), text: readFileSync(join(RUNBOOKS, name), 'utf8') }));

/** Every dashboard title and panel title (rows included) in grafana/dashboards/. */
function dashboardTitles(): { dashboards: Set<string>; panels: Set<string> } {
  const dashboards = new Set<string>();
  const panels = new Set<string>();
  const walk = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const panel of list) {
      const title = Reflect.get(panel, 'title');
      if (typeof title === 'string') panels.add(title);
      walk(Reflect.get(panel, 'panels'));
    }
  };
  const dir = join(ROOT, 'grafana/dashboards');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const dashboard: unknown = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    const title = Reflect.get(dashboard as object, 'title');
    if (typeof title === 'string') dashboards.add(title);
    walk(Reflect.get(dashboard as object, 'panels'));
  }
  return { dashboards, panels };
}

/** Threshold fields (`critical.history_backlog_age_max_sec`) look like rule ids and are checked the same way. */
const THRESHOLD_KEYS = Object.entries(BAND_PROFILES.starter).flatMap(([section, fields]) =>
  Object.keys(fields).map((field) => `${section}.${field}`),
);
const KNOWN = new Set([...ALL_RULE_IDS, ...THRESHOLD_KEYS]);

// A rule id as runbooks write it: kind, a dot, a snake_case name (file names and links match it too).
const RULE_MENTION = /\b(?:critical|stressed|happy|recovery)\.[a-z_]+[a-z]/g;

describe('runbooks (docs/runbooks)', () => {
  test('every rule that can drive Critical has a runbook, and every runbook is for one', () => {
    expect(runbooks.map((r) => r.rule).sort()).toEqual([...CRITICAL_RULE_IDS].sort());
  });

  test.each(runbooks.map((r) => [r.rule, r.text] as const))(
    '%s names only rules and thresholds that exist',
    (_rule, text) => {
      const unknown = [...new Set(text.match(RULE_MENTION) ?? [])].filter((id) => !KNOWN.has(id));
      expect(unknown).toEqual([]);
    },
  );

  test.each(runbooks.map((r) => [r.rule, r.text] as const))('%s has every section, in order', (rule, text) => {
    expect(text.startsWith(`# \`${rule}\``)).toBe(true);
    const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(SECTIONS);
    expect(text).toContain('](../rules.md');
  });

  test.each(runbooks.map((r) => [r.rule, r.text] as const))(
    '%s points only at real dashboards and panels',
    (_rule, text) => {
      const { dashboards, panels } = dashboardTitles();
      const flat = text.replace(/\s+/g, ' ');
      const named = [...flat.matchAll(/\*([^*]+)\* dashboard/g)].map((m) => m[1] ?? '');
      const namedPanels = [...flat.matchAll(/panel “([^”]+)”/g)].map((m) => m[1] ?? '');
      expect(named.length + namedPanels.length).toBeGreaterThan(0);
      expect(named.filter((title) => !dashboards.has(title))).toEqual([]);
      expect(namedPanels.filter((title) => !panels.has(title))).toEqual([]);
    },
  );

  test('the index lists every runbook', () => {
    const index = readFileSync(join(RUNBOOKS, 'README.md'), 'utf8');
    expect(CRITICAL_RULE_IDS.filter((id) => !index.includes(`[${id}.md](${id}.md)`))).toEqual([]);
  });

  test('the rule-mention pattern sees ids in prose and in links, so the check above can fail', () => {
    const text = 'see `critical.no_such_rule` and [x](critical.dispatch_stall.md), stressed.stalled_task_queue.';
    expect(text.match(RULE_MENTION)).toEqual([
      'critical.no_such_rule',
      'critical.dispatch_stall',
      'stressed.stalled_task_queue',
    ]);
  });
});
