import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { BacktestReport, TimelineEntry } from '../../src/cli/backtest.ts';
import { backtestCommand, parseDurationMs } from '../../src/cli/backtest.ts';
import type { CliIo } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli/main.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusWithFixtures } from '../../src/demo/local-prometheus.ts';
import type { ScenarioName } from '../../src/demo/scenarios.ts';
import { atMinute, FIXTURE_START_MS, SCENARIO_DURATION_SEC, scenarioSpecs } from '../../src/demo/scenarios.ts';
import type { MetricStyle } from '../../src/models/index.ts';
import { AppError } from '../../src/models/index.ts';
import { rangeChunks } from '../../src/signals/range.ts';

function captureIo(): CliIo & { text: () => string } {
  let out = '';
  return { readStdin: async () => '', out: (t) => (out += t), err: (t) => (out += t), text: () => out };
}

/** Run the real CLI command and parse its JSON output. */
async function backtest(input: { url: string; cluster: string; style?: MetricStyle }): Promise<BacktestReport> {
  const io = captureIo();
  const argv = [
    '--prometheus-url',
    input.url,
    '--start',
    new Date(FIXTURE_START_MS).toISOString(),
    '--end',
    new Date(FIXTURE_START_MS + SCENARIO_DURATION_SEC * 1000).toISOString(),
    '--step',
    '30s',
    '--selector',
    `cluster="${input.cluster}"`,
    '--cluster',
    input.cluster,
    '--format',
    'json',
    ...(input.style ? ['--metric-style', input.style] : []),
  ];
  const code = await backtestCommand.run(argv, io);
  expect(code).toBe(0);
  return JSON.parse(io.text()) as BacktestReport;
}

const at = (report: BacktestReport, minute: number): TimelineEntry => {
  const entry = report.timeline.find((e) => e.at === atMinute(minute));
  if (!entry) throw new Error(`no step at minute ${minute}`);
  return entry;
};
const between = (report: BacktestReport, from: number, to: number) =>
  report.timeline.filter((e) => e.at >= atMinute(from) && e.at < atMinute(to));
const neverCritical = (r: BacktestReport) => expect(r.summary.state_counts.critical).toBe(0);

/** Key points and invariants per scenario (minutes from the fixture start). */
const EXPECTATIONS: Record<ScenarioName, (r: BacktestReport) => void> = {
  healthy: (r) => {
    expect(between(r, 1, 45).every((e) => e.health_state === 'happy' && e.data_quality === 'complete')).toBe(true);
  },
  'persistence-slowdown': (r) => {
    neverCritical(r);
    expect(at(r, 5).health_state).toBe('happy');
    expect(at(r, 20)).toMatchObject({ health_state: 'stressed', firing: ['stressed.persistence_latency'] });
    expect(at(r, 40).health_state).toBe('happy');
  },
  'persistence-error-storm': (r) => {
    expect(at(r, 5).health_state).toBe('happy');
    expect(at(r, 10.5).health_state).toBe('stressed');
    expect(at(r, 20).health_state).toBe('critical');
    expect(at(r, 20).firing).toContain('critical.persistence_errors');
    expect(at(r, 40).health_state).toBe('happy');
  },
  'backlog-growth': (r) => {
    expect(at(r, 5).health_state).toBe('happy');
    expect(at(r, 25).health_state).toBe('critical');
    expect(at(r, 25).firing).toContain('critical.history_backlog');
  },
  // Transitions stay at the start rate as on the real server: only the progress rules can see this outage.
  'worker-outage': (r) => {
    expect(at(r, 5).health_state).toBe('happy');
    expect(between(r, 11, 35).every((e) => e.health_state !== 'happy')).toBe(true);
    expect(between(r, 14, 35).every((e) => e.health_state === 'critical')).toBe(true);
    // The dead workers' cancelled polls count as timeouts at 10:00; they must not make the queue look polled.
    expect(at(r, 11.5).firing).toContain('stressed.stalled_task_queue');
    expect(at(r, 20).firing).toEqual(
      expect.arrayContaining(['critical.progress_stall', 'critical.dispatch_stall', 'stressed.stalled_task_queue']),
    );
    expect(at(r, 20).firing).not.toContain('critical.throughput_collapse');
    expect(at(r, 42).health_state).toBe('happy');
  },
  'retention-storm': (r) => {
    neverCritical(r);
    expect(at(r, 20).health_state).not.toBe('unknown');
  },
  idle: (r) => {
    expect(between(r, 1, 45).every((e) => e.health_state === 'happy')).toBe(true);
  },
  'cold-start': (r) => {
    neverCritical(r);
    expect(at(r, 10).health_state).toBe('happy');
  },
  'brief-spikes': (r) => {
    neverCritical(r);
    expect(at(r, 20).health_state).toBe('happy');
    expect(at(r, 40).health_state).toBe('happy');
  },
  'band-oscillation': (r) => {
    neverCritical(r);
    const bandChanges = r.timeline.filter((e, i) => i > 1 && e.scale_band !== r.timeline[i - 1]?.scale_band);
    expect(bandChanges.length).toBeLessThanOrEqual(2);
  },
  'telemetry-gap': (r) => {
    expect(at(r, 10).health_state).toBe('happy');
    expect(at(r, 22)).toMatchObject({ health_state: 'unknown', data_quality: 'blind' });
    expect(between(r, 15, 30).some((e) => e.health_state === 'happy' && e.data_quality !== 'complete')).toBe(false);
    expect(at(r, 40).health_state).toBe('happy');
  },
  // Never-created error, failure and asyncmatch series read as 0 only because the exporter is provably scraped.
  'quiet-no-error-series': (r) => {
    expect(r.timeline[0]?.health_state).not.toBe('critical');
    expect(between(r, 1, 45).map((e) => e.health_state)).toEqual(between(r, 1, 45).map(() => 'happy'));
    expect(between(r, 1, 45).every((e) => e.firing.length === 0)).toBe(true);
  },
  'busy-no-error-series': (r) => {
    expect(between(r, 1, 45).every((e) => e.health_state === 'happy' && e.data_quality === 'complete')).toBe(true);
  },
  'quiet-telemetry-gap': (r) => {
    expect(at(r, 10).health_state).toBe('happy');
    expect(at(r, 22)).toMatchObject({ health_state: 'unknown', data_quality: 'blind' });
    // The last samples before the gap stay in the 1m windows for a step or two; after that nothing is claimed.
    expect(between(r, 15, 30).some((e) => e.health_state === 'happy' && e.data_quality !== 'complete')).toBe(false);
    expect(between(r, 16, 30).every((e) => e.health_state === 'unknown')).toBe(true);
    expect(at(r, 40).health_state).toBe('happy');
  },
};

for (const style of ['otel', 'tally'] as const) {
  describe(`backtest over real Prometheus, ${style} naming`, () => {
    let prometheus: LocalPrometheus;
    beforeAll(async () => {
      prometheus = await startPrometheusWithFixtures({ style, startMs: FIXTURE_START_MS, scenarios: scenarioSpecs() });
    });
    afterAll(async () => {
      await prometheus.stop();
    });

    test.each(Object.keys(EXPECTATIONS) as ScenarioName[])('%s', async (cluster) => {
      const report = await backtest({ url: prometheus.url, cluster, style });
      expect(report.summary.metric_style).toBe(style);
      expect(report.timeline.length).toBe(SCENARIO_DURATION_SEC / 30 + 1);
      EXPECTATIONS[cluster](report);
    });

    test('style is auto-detected and the table collapses equal states into spans', async () => {
      const io = captureIo();
      const code = await runCli(
        [
          'backtest',
          '--prometheus-url',
          prometheus.url,
          '--start',
          atMinute(0),
          '--end',
          atMinute(45),
          '--selector',
          'cluster="persistence-slowdown"',
        ],
        io,
      );
      expect(code).toBe(0);
      const lines = io.text().trim().split('\n');
      expect(lines[0]).toMatch(/^from\s+to\s+state\s+band\s+data\s+firing$/);
      expect(lines.filter((line) => /^\d{4}-\S+\s+\S+\s+stressed\s/.test(line)).length).toBe(1);
      expect(io.text()).toContain(`(${style})`);
    });
  });
}

describe('backtest arguments', () => {
  test.each([
    [['--start', 'yesterday'], 'INVALID_INPUT'],
    [
      ['--prometheus-url', 'http://127.0.0.1:1', '--start', atMinute(0), '--end', atMinute(1), '--step', '0s'],
      'INVALID_INPUT',
    ],
    [['--bogus'], 'INVALID_INPUT'],
  ])('%p → %s', async (argv, code) => {
    await expect(backtestCommand.run(argv, captureIo())).rejects.toMatchObject({ code });
  });

  test('durations', () => {
    expect(parseDurationMs('30s', '--step')).toBe(30_000);
    expect(parseDurationMs('1.5m', '--step')).toBe(90_000);
    expect(() => parseDurationMs('10', '--step')).toThrow(AppError);
  });

  test('ranges are chunked under the 11,000-point limit and cover every step once', () => {
    const stepMs = 15_000;
    const chunks = rangeChunks({ startMs: 0, endMs: 3 * 86_400_000, stepMs });
    expect(chunks.length).toBe(2);
    const steps = chunks.flatMap((c) => {
      const n = (c.endMs - c.startMs) / stepMs + 1;
      expect(n).toBeLessThanOrEqual(11_000);
      return Array.from({ length: n }, (_, i) => c.startMs + i * stepMs);
    });
    expect(steps.length).toBe((3 * 86_400_000) / stepMs + 1);
    expect(new Set(steps).size).toBe(steps.length);
  });
});
