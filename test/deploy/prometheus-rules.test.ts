import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type } from 'arktype';
import { createWorkerMetrics } from '../../src/activities/worker-metrics.ts';
import { call, seedTwoClusters, T0, testApi } from '../api/helpers.ts';
import { openPostgres } from '../db/backends.ts';
import { runProcess } from '../support/run-process.ts';

const DIR = join(import.meta.dir, '..', '..', 'deploy', 'prometheus');
const RULES = join(DIR, 'copilot-rules.yml');
const TESTS = join(DIR, 'copilot-rules.test.yml');
const PROMTOOL = '/usr/bin/promtool';

const RulesFile = type({
  groups: type({ name: 'string', rules: type({ alert: 'string', expr: 'string', for: 'string' }).array() }).array(),
});
const TestsFile = type({
  tests: type({
    alert_rule_test: type({ alertname: 'string', exp_alerts: type({ exp_labels: 'Record<string, string>' }).array() })
      .array()
      .optional(),
  }).array(),
});

function load<T>(schema: (data: unknown) => T | type.errors, path: string): T {
  const out = schema(Bun.YAML.parse(readFileSync(path, 'utf8')));
  if (out instanceof type.errors) throw new Error(`${path}: ${out.summary}`);
  return out;
}

const rules = load(RulesFile, RULES).groups.flatMap((group) => group.rules);

test('promtool check rules accepts the rules file', async () => {
  const result = await runProcess({ cmd: [PROMTOOL, 'check', 'rules', RULES] });
  expect({ code: result.code, stdout: result.stdout.trim() }).toEqual({
    code: 0,
    stdout: `Checking ${RULES}\n  SUCCESS: ${rules.length} rules found`,
  });
});

test('promtool test rules: every alert fires when it should and stays quiet when it should', async () => {
  const result = await runProcess({ cmd: [PROMTOOL, 'test', 'rules', TESTS] });
  expect({ code: result.code, out: result.stdout + result.stderr }).toEqual({
    code: 0,
    out: `Unit Testing:  ${TESTS}\n  SUCCESS\n\n`,
  });
});

test('the unit tests see every alert fire at least once', () => {
  const firing = new Set(
    load(TestsFile, TESTS).tests.flatMap((t) =>
      (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
    ),
  );
  expect([...firing].sort()).toEqual(rules.map((rule) => rule.alert).sort());
});

test('the unit tests fail when a rule changes: a Critical alert without its 5 minutes is caught', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'copilot-rules-'));
  try {
    const broken = readFileSync(RULES, 'utf8').replace(/(alert: TemporalClusterCritical[\s\S]*?for: )5m/, '$11m');
    expect(broken).not.toBe(readFileSync(RULES, 'utf8'));
    writeFileSync(join(dir, 'copilot-rules.yml'), broken);
    writeFileSync(join(dir, 'copilot-rules.test.yml'), readFileSync(TESTS, 'utf8'));
    const result = await runProcess({ cmd: [PROMTOOL, 'test', 'rules', join(dir, 'copilot-rules.test.yml')] });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('alertname: TemporalClusterCritical, time: 4m');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const db = await openPostgres();
afterAll(() => db.close());

// The original copilot's dashboards read a metric nobody emitted; the rules must not repeat that.
test('every metric and state a rule reads is one the real API or worker exposes on /metrics', async () => {
  await seedTwoClusters(db.sql);
  const api = testApi(db.sql, { configuredClusters: ['gamma'], now: () => T0 + 15_000 });
  await api.refresh();
  // The worker declares every family before its first sample, so a fresh registry lists them all.
  const text = `${(await call(api, '/metrics')).text}${createWorkerMetrics().exposition()}`;
  const exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
  const states = new Set([...text.matchAll(/state="([a-z]+)"/g)].map((m) => m[1]));
  const read = rules.flatMap((rule) => [...rule.expr.matchAll(/\bcopilot_[a-z_]+/g)].map((m) => m[0]));
  expect(read.length).toBeGreaterThan(rules.length);
  expect(read.filter((name) => !exposed.has(name))).toEqual([]);
  const matched = rules.flatMap((rule) => [...rule.expr.matchAll(/state="([a-z]+)"/g)].map((m) => m[1]));
  expect(matched.filter((state) => !states.has(state))).toEqual([]);
});
