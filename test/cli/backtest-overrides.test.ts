import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BacktestReport } from '../../src/cli/backtest.ts';
import { backtestCommand } from '../../src/cli/backtest.ts';
import { overridesFromFlag } from '../../src/cli/overrides-flag.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusWithFixtures } from '../../src/demo/local-prometheus.ts';
import { atMinute, FIXTURE_START_MS, scenarioSpecs } from '../../src/demo/scenarios.ts';
import { AppError } from '../../src/models/index.ts';

const CLUSTER = 'persistence-slowdown';
let prometheus: LocalPrometheus;

beforeAll(async () => {
  const scenarios = scenarioSpecs().filter((spec) => spec.cluster === CLUSTER);
  prometheus = await startPrometheusWithFixtures({ style: 'otel', startMs: FIXTURE_START_MS, scenarios });
});
afterAll(async () => {
  await prometheus.stop();
});

async function backtest(
  extra: readonly string[],
): Promise<{ code: number; report: BacktestReport | null; out: string }> {
  let out = '';
  const io = { readStdin: async () => '', out: (t: string) => (out += t), err: (t: string) => (out += t) };
  const argv = ['--prometheus-url', prometheus.url, '--start', atMinute(0), '--end', atMinute(45)];
  const code = await backtestCommand.run(
    [...argv, '--selector', `cluster="${CLUSTER}"`, '--format', 'json', ...extra],
    io,
  );
  return { code, report: code === 0 ? (JSON.parse(out) as BacktestReport) : null, out };
}

const firingPersistenceLatency = (report: BacktestReport | null): number =>
  (report?.timeline ?? []).filter((entry) => entry.firing.includes('stressed.persistence_latency')).length;

describe('backtest --overrides over real Prometheus', () => {
  test('a raised threshold stops its rule firing, exactly as the observer would with the same overrides', async () => {
    const baseline = await backtest([]);
    expect(baseline.code).toBe(0);
    expect(firingPersistenceLatency(baseline.report)).toBeGreaterThan(0);

    const dir = mkdtempSync(join(tmpdir(), 'copilot-overrides-'));
    try {
      const file = join(dir, 'overrides.json');
      writeFileSync(file, JSON.stringify({ all: { stressed: { persistence_latency_p99_max_ms: 1_000_000 } } }));
      const tuned = await backtest(['--overrides', `@${file}`]);
      expect(tuned.code).toBe(0);
      expect(firingPersistenceLatency(tuned.report)).toBe(0);
      expect(tuned.report?.timeline.length).toBe(baseline.report?.timeline.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--overrides parsing', () => {
  test('absent is none; inline JSON is read and validated', () => {
    expect(overridesFromFlag(undefined)).toBeUndefined();
    expect(overridesFromFlag('{"mid-scale": {"critical": {"history_backlog_age_max_sec": 900}}}')).toEqual({
      'mid-scale': { critical: { history_backlog_age_max_sec: 900 } },
    });
  });

  test.each([
    ['{"all": {"critical": {"no_such_threshold": 1}}}', 'no_such_threshold'],
    ['{not json', 'not valid JSON'],
    ['{"all": {"critical": {"state_transitions_min_per_sec": 100}}}', 'must be <='],
    ['@/nonexistent/overrides.json', 'cannot read'],
  ])('%s is INVALID_INPUT naming why', (value, why) => {
    let thrown: unknown = null;
    try {
      overridesFromFlag(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown instanceof AppError ? { code: thrown.code, why: thrown.message.includes(why) } : null).toEqual({
      code: 'INVALID_INPUT',
      why: true,
    });
  });
});
