import { parseArgs } from 'node:util';
import { explainWithRules } from '../agents/rules-explainer.ts';
import { createPrometheusClient } from '../clients/prometheus.ts';
import { loadConfig } from '../config.ts';
import { migrate, openStore, writeAssessment, writeCycle } from '../db/index.ts';
import { startPrometheusWithFixtures } from '../demo/local-prometheus.ts';
import type { ScenarioName } from '../demo/scenarios.ts';
import { FIXTURE_START_MS, SCENARIO_DURATION_SEC, SCENARIOS } from '../demo/scenarios.ts';
import type { Assessment, ClusterConfig, Decision } from '../models/index.ts';
import { AppError } from '../models/index.ts';
import type { BacktestReport } from './backtest.ts';
import { formatTimelineTable, runBacktest } from './backtest.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';
import { LIVE_FLAGS, runLiveCommand } from './demo-live-command.ts';

const STEP_MS = 30_000;

const HELP = `usage: bun run copilot demo [options]            the live demo (default)
       bun run copilot demo --replay SCENARIO [--format table|json]

The live demo runs the whole product on this machine with no cloud account: the embedded store, the copilot's own
Temporal dev server, the Node worker, and the API with the status page, observing a second Temporal cluster that
really runs (its own dev server exporting metrics, a local Prometheus scraping it, SDK workers and callers). After a
healthy spell it kills that cluster's workers (an outage), waits until the copilot says so, brings them back and
waits for Happy again, printing every state change. Ctrl-C stops everything.

live options:
  --healthy-sec N   healthy load after the first Happy, before the outage (default 120)
  --outage-sec N    longest the workers stay down; ends early at Critical (default 240)
  --interval-sec N  the copilot's observe interval (default 10)
  --port N          port of the API and status page (default COPILOT_API_PORT, 8081; 0 picks a free one)
  --explainer WHO   auto (the local model when .ci/setup built it, else rules), local or rules (default auto)
  --once            exit one cycle after the recovery instead of serving the page until Ctrl-C

--replay SCENARIO generates ${SCENARIO_DURATION_SEC / 60} minutes of realistic Temporal server metrics for an
incident, backfills them into a real local Prometheus (promtool), observes them every 30 s through the signal
catalog, decides each cycle with the health engine, and stores every cycle in the state store (the embedded
database unless DATABASE_URL or DSQL_ENDPOINT is set). Replaying again is a no-op for the store.
  SCENARIO          ${Object.keys(SCENARIOS).join(' | ')}
  --format FORMAT   table (default) or json

  --help            this text

The Temporal CLI comes from COPILOT_TEMPORAL_CLI, else the one .ci/setup builds, else \`temporal\` on PATH.
`;

function isScenario(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

interface DemoOutcome {
  scenario: ScenarioName;
  store: { kind: string; target: string };
  cycles: { stored: number; already_present: number };
  /** One per state or fingerprint change, explained by the rules-only explainer, as the workflows would. */
  assessments: { stored: number; already_present: number };
  report: BacktestReport;
  worst: Decision | null;
  /** The assessment of the worst moment: what an SRE would read on the status page. */
  worst_assessment: Assessment | null;
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
    let worstAssessment: Assessment | null = null;
    let previous: Decision | null = null;
    const assessments = { stored: 0, already_present: 0 };
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
        const trigger: Assessment['trigger'] | null =
          previous === null || previous.health_state !== decision.health_state
            ? 'state_change'
            : previous.fingerprint !== decision.fingerprint
              ? 'fingerprint_change'
              : null;
        previous = decision;
        if (trigger === null) return;
        const assessment = assess({ decision, trigger });
        const written = await writeAssessment(store.sql, assessment);
        assessments[written.inserted ? 'stored' : 'already_present'] += 1;
        if (worst === null || SEVERITY[decision.health_state] > SEVERITY[worst.health_state]) {
          worst = decision;
          worstAssessment = assessment;
        }
      },
    });
    return {
      scenario,
      store: { kind: store.kind, target: store.target },
      cycles: { stored, already_present: present },
      assessments,
      report,
      worst,
      worst_assessment: worstAssessment,
    };
  } finally {
    await store.close();
  }
}

/** Three significant digits are plenty for a person reading a finding. */
const round = (value: number): number => Number(value.toPrecision(3));

/** A rules-only assessment of one decision, keyed like the workflows' so that replays stay idempotent. */
function assess(input: { decision: Decision; trigger: Assessment['trigger'] }): Assessment {
  const { decision } = input;
  const explanation = explainWithRules({ decision, logPatterns: [] });
  return {
    assessment_key: `demo-${decision.cluster}-${Date.parse(decision.at)}`,
    cluster: decision.cluster,
    at: decision.at,
    trigger: input.trigger,
    health_state: decision.health_state,
    decision,
    summary: explanation.summary,
    explainer: explanation.explainer,
    issues: explanation.issues,
    recommended_actions: explanation.recommended_actions,
    log_patterns: [],
    explain_duration_ms: explanation.explain_duration_ms,
    rule_version: decision.rule_version,
  };
}

function formatOutcome(outcome: DemoOutcome): string {
  const { report, worst, worst_assessment: assessment } = outcome;
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
  if (assessment) {
    lines.push('', `Assessment (${assessment.explainer} explainer): ${assessment.summary}`);
    for (const issue of assessment.issues) lines.push(`  [${issue.severity}] ${issue.title}`);
    for (const action of assessment.recommended_actions.slice(0, 3)) {
      lines.push(`  → ${action.description} (${action.target_service}, risk ${action.risk_level})`);
    }
  }
  lines.push(
    '',
    `Stored ${outcome.cycles.stored} new cycles (${outcome.cycles.already_present} were already there) and ${outcome.assessments.stored} new assessments (${outcome.assessments.already_present} already there) in the ${outcome.store.kind} store: ${outcome.store.target}.`,
    '',
    'Next:',
    '  bun run copilot demo --replay worker-outage          another incident',
    '  bun run copilot demo                                 the live demo: a real cluster, an outage, the page',
    '  bun run copilot doctor --prometheus-url URL          check your own Prometheus/AMP',
    '  bun run copilot backtest --prometheus-url URL --start ISO --end ISO   replay your own history',
    '',
  );
  return lines.join('\n');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the whole copilot live against a real local Temporal cluster (or --replay an incident)',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        replay: { type: 'string' },
        // The replay's former spelling; still accepted.
        scenario: { type: 'string' },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', default: false },
        ...LIVE_FLAGS,
      },
      strict: true,
    });
    if (values.help) {
      io.out(HELP);
      return EXIT.ok;
    }
    const replay = values.replay ?? values.scenario;
    if (replay === undefined) return runLiveCommand({ values, io, config: loadConfig() });
    if (!isScenario(replay)) {
      throw new AppError('INVALID_INPUT', `unknown scenario '${replay}'; one of: ${Object.keys(SCENARIOS).join(', ')}`);
    }
    if (values.format !== 'table' && values.format !== 'json') {
      throw new AppError('INVALID_INPUT', `--format must be table or json (was '${values.format}')`);
    }
    const json = values.format === 'json';
    const outcome = await runDemo({
      scenario: replay,
      progress: (line) => (json ? undefined : io.err(`${line}\n`)),
    });
    io.out(json ? `${JSON.stringify(outcome, null, 2)}\n` : formatOutcome(outcome));
    return EXIT.ok;
  },
};
