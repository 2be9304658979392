import { parseArgs } from 'node:util';
import { createPrometheusClient } from '../clients/prometheus.ts';
import { loadConfig } from '../config.ts';
import { migrate, openStore, writeCycle } from '../db/index.ts';
import { startPrometheusWithFixtures } from '../demo/local-prometheus.ts';
import type { ScenarioName } from '../demo/scenarios.ts';
import { FIXTURE_START_MS, SCENARIO_DURATION_SEC, SCENARIOS } from '../demo/scenarios.ts';
import type { ClusterConfig, Decision } from '../models/index.ts';
import { AppError } from '../models/index.ts';
import type { BacktestReport } from './backtest.ts';
import { formatTimelineTable, runBacktest } from './backtest.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';

const DEFAULT_SCENARIO: ScenarioName = 'persistence-error-storm';
const STEP_MS = 30_000;

const HELP = `usage: bun run copilot demo [--scenario NAME] [--format table|json]

Runs the whole decision path on this machine with nothing configured: generates ${SCENARIO_DURATION_SEC / 60} minutes
of realistic Temporal server metrics for an incident, backfills them into a real local Prometheus (promtool),
observes them every 30 s through the signal catalog, decides each cycle with the health engine, and stores every
cycle in the state store (the embedded database unless DATABASE_URL or DSQL_ENDPOINT is set). Running it again is
a no-op for the store: cycles are keyed by cluster and time.

options:
  --scenario NAME   ${Object.keys(SCENARIOS).join(' | ')}
                    (default ${DEFAULT_SCENARIO})
  --format FORMAT   table (default) or json
  --help            this text
`;

function isScenario(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

interface DemoOutcome {
  scenario: ScenarioName;
  store: { kind: string; target: string };
  cycles: { stored: number; already_present: number };
  report: BacktestReport;
  worst: Decision | null;
}

const SEVERITY = { unknown: 0, happy: 1, stressed: 2, critical: 3 } as const;

async function runDemo(input: { scenario: ScenarioName; progress: (line: string) => void }): Promise<DemoOutcome> {
  const config = loadConfig();
  const { scenario, progress } = input;
  progress(`generating ${SCENARIO_DURATION_SEC / 60} min of '${scenario}' metrics and backfilling a local Prometheus…`);
  await using prometheus = await startPrometheusWithFixtures({
    scenarios: [{ cluster: scenario, durationSec: SCENARIO_DURATION_SEC, profile: SCENARIOS[scenario] }],
    // What a self-hosted server's default exporter speaks: tally names, seconds, counters without `_total`.
    style: 'tally',
    counters: 'bare',
    startMs: FIXTURE_START_MS,
  });
  progress(`prometheus ready at ${prometheus.url}; opening the ${config.store.kind} store…`);
  const store = await openStore(config.store);
  try {
    await migrate(store.sql);
    // One stored cluster per scenario, so replaying another incident never collides with this one's cycles.
    const cluster: ClusterConfig = {
      name: `demo-${scenario}`,
      prometheus_url: prometheus.url,
      selector: `cluster="${scenario}"`,
    };
    let stored = 0;
    let present = 0;
    let worst: Decision | null = null;
    const report = await runBacktest({
      prometheus: createPrometheusClient({ baseUrl: prometheus.url }),
      cluster,
      startMs: FIXTURE_START_MS,
      endMs: FIXTURE_START_MS + SCENARIO_DURATION_SEC * 1000,
      stepMs: STEP_MS,
      onStep: async ({ snapshot, decision, state }) => {
        const cycleKey = `${cluster.name}:${Date.parse(decision.at)}`;
        const { inserted } = await writeCycle(store.sql, {
          cluster: cluster.name,
          cycleKey,
          snapshot,
          decision,
          engineState: state,
        });
        if (inserted) stored += 1;
        else present += 1;
        if (worst === null || SEVERITY[decision.health_state] > SEVERITY[worst.health_state]) worst = decision;
      },
    });
    return {
      scenario,
      store: { kind: store.kind, target: store.target },
      cycles: { stored, already_present: present },
      report,
      worst,
    };
  } finally {
    await store.close();
  }
}

/** Three significant digits are plenty for a person reading a finding. */
const round = (value: number): number => Number(value.toPrecision(3));

function formatOutcome(outcome: DemoOutcome): string {
  const { report, worst } = outcome;
  const lines = [
    '',
    `Scenario '${outcome.scenario}', cluster '${report.summary.cluster}', ${report.summary.steps} cycles of 30 s:`,
    '',
    formatTimelineTable(report).trimEnd(),
    '',
  ];
  if (worst) {
    lines.push(`Worst moment: ${worst.health_state.toUpperCase()} at ${worst.at} (band ${worst.scale_band}).`);
    for (const finding of worst.firing.filter((f) => !f.suppressed)) {
      lines.push(
        `  ${finding.rule_id}: ${finding.signal} = ${round(finding.value)} (${finding.comparison} ${finding.threshold})`,
      );
    }
  }
  lines.push(
    '',
    `Stored ${outcome.cycles.stored} new cycles (${outcome.cycles.already_present} were already there) in the ${outcome.store.kind} store: ${outcome.store.target}.`,
    '',
    'Next:',
    '  bun run copilot demo --scenario worker-outage        another incident',
    '  bun run copilot doctor --prometheus-url URL          check your own Prometheus/AMP',
    '  bun run copilot backtest --prometheus-url URL --start ISO --end ISO   replay your own history',
    '',
  );
  return lines.join('\n');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'replay a realistic incident through Prometheus, the engine and the store on this machine',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string', default: DEFAULT_SCENARIO },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (values.help) {
      io.out(HELP);
      return EXIT.ok;
    }
    if (!isScenario(values.scenario)) {
      throw new AppError(
        'INVALID_INPUT',
        `unknown scenario '${values.scenario}'; one of: ${Object.keys(SCENARIOS).join(', ')}`,
      );
    }
    if (values.format !== 'table' && values.format !== 'json') {
      throw new AppError('INVALID_INPUT', `--format must be table or json (was '${values.format}')`);
    }
    const json = values.format === 'json';
    const outcome = await runDemo({
      scenario: values.scenario,
      progress: (line) => (json ? undefined : io.err(`${line}\n`)),
    });
    io.out(json ? `${JSON.stringify(outcome, null, 2)}\n` : formatOutcome(outcome));
    return EXIT.ok;
  },
};
