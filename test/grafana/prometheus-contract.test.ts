import { expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Panel } from '@grafana/schema';
import { DASHBOARDS, NAMINGS, render } from '../../grafana/src/index.ts';
import { catalogMetrics } from '../../src/signals/index.ts';
import { runProcess } from '../support/run-process.ts';
import { allPanels } from './walk.ts';

const DASHBOARD_DIR = join(import.meta.dir, '..', '..', 'grafana', 'dashboards');

test('the committed dashboards are exactly what `bun run dashboards` generates', () => {
  expect(readdirSync(DASHBOARD_DIR).sort()).toEqual(DASHBOARDS.map((d) => d.file).sort());
  for (const { file, dashboard } of DASHBOARDS) {
    expect({ file, text: readFileSync(join(DASHBOARD_DIR, file), 'utf8') }).toEqual({ file, text: render(dashboard) });
  }
});

/** Each Prometheus panel with the naming of the row it sits in (rows are titled by NAMINGS). */
const promPanels = DASHBOARDS.flatMap(({ file, dashboard }) => {
  let naming: (typeof NAMINGS)[number] | undefined;
  return allPanels(dashboard).flatMap((p) => {
    if (p.type === 'row') {
      naming = NAMINGS.find((n) => n.title === p.title);
      return [];
    }
    const exprs = (p.targets ?? []).map((t) => t['expr']).filter((e): e is string => typeof e === 'string');
    return exprs.length === 0 ? [] : [{ file, panel: p, naming, exprs }];
  });
});

// A selector is a metric name followed by its matchers; every generated selector carries the job filter.
const SELECTOR = /([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g;

test('the server and DSQL dashboards have one row per naming style, each with every panel', () => {
  for (const file of ['temporal-server.json', 'dsql-persistence.json']) {
    const panels = promPanels.filter((p) => p.file === file);
    const per = NAMINGS.map((n) => panels.filter((p) => p.naming === n).map((p) => p.panel.title));
    expect(per[0]?.length).toBeGreaterThan(5);
    for (const titles of per) expect(titles).toEqual(per[0] ?? []);
    expect(panels.every((p) => p.naming !== undefined)).toBe(true);
  }
});

test.each(NAMINGS.map((n) => [n.title, n] as const))(
  '%s: every metric a panel reads is in the signal catalog',
  (_t, naming) => {
    const known = new Set(catalogMetrics({ style: naming.style, counters: naming.counters }).map((m) => m.name));
    const read = promPanels
      .filter((p) => p.naming === naming)
      .flatMap((p) =>
        p.exprs.flatMap((e) => [...e.matchAll(SELECTOR)].map((m) => ({ panel: p.panel.title, metric: m[1] }))),
      );
    expect(read.length).toBeGreaterThan(20);
    expect(read.filter((r) => !known.has(r.metric ?? ''))).toEqual([]);
  },
);

test('the job variable reads a series the catalog knows', () => {
  const known = new Set(NAMINGS.flatMap((n) => catalogMetrics(n).map((m) => m.name)));
  for (const { dashboard } of DASHBOARDS.filter((d) => d.file !== 'copilot.json')) {
    const queries = (dashboard.templating?.list ?? []).map((v) => JSON.stringify(v.query ?? ''));
    const metrics = queries.flatMap((q) => [...q.matchAll(/label_values\((\w+),/g)].map((m) => m[1] ?? ''));
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics.filter((m) => !known.has(m))).toEqual([]);
  }
});

/** Every expression as a recording rule, with Grafana's variables filled in, checked by promtool's PromQL parser. */
async function promtoolParses(exprs: readonly { panel: Panel; expr: string }[]) {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-promql-'));
  try {
    const rules = exprs.map(
      (e, i) => `      - record: dashboard:expr_${i}\n        expr: ${JSON.stringify(e.expr.replaceAll('$job', '.*'))}`,
    );
    const file = join(dir, 'rules.yml');
    writeFileSync(file, `groups:\n  - name: dashboards\n    rules:\n${rules.join('\n')}\n`);
    return await runProcess({ cmd: ['/usr/bin/promtool', 'check', 'rules', file] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('promtool parses every PromQL expression of the dashboards', async () => {
  const exprs = promPanels.flatMap((p) => p.exprs.map((expr) => ({ panel: p.panel, expr })));
  const result = await promtoolParses(exprs);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  expect(result.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
});

test('the PromQL check fails on a broken expression', async () => {
  const [first] = promPanels;
  if (!first) throw new Error('no Prometheus panel');
  const result = await promtoolParses([{ panel: first.panel, expr: 'sum(rate(service_requests_total[1m])' }]);
  expect(result.code).toBe(1);
});
