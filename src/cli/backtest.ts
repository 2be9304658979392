import type { PrometheusClient } from '../clients/prometheus.ts';
import { evaluate, initialEngineState } from '../health/index.ts';
import type {
  ClusterConfig,
  DataQuality,
  Decision,
  EngineState,
  HealthState,
  MetricStyle,
  MissingSignal,
  ProgressEvidence,
  ScaleBand,
  ServiceStatus,
  SignalsSnapshot,
} from '../models/index.ts';
import { AppError, MetricStyle as MetricStyleType } from '../models/index.ts';
import { detectMetricStyle, observeRange } from '../signals/index.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';
import { overridesFromFlag } from './overrides-flag.ts';
import { PROMETHEUS_FLAGS, PROMETHEUS_FLAGS_HELP, prometheusFromFlags } from './prometheus-flags.ts';

/** One step of the backtest: the whole decision an SRE needs to see why, not only its verdict. */
export interface TimelineEntry {
  at: string;
  health_state: HealthState;
  scale_band: ScaleBand;
  data_quality: DataQuality;
  /** Rule ids that counted this step (suppressed ones are left out). */
  firing: string[];
  idle: boolean;
  system_busy: boolean;
  consecutive_critical: number;
  /** Gates and context checks that could not be judged for lack of data. */
  unevaluated_rules: string[];
  bottleneck: Decision['bottleneck']['classification'];
  services: ServiceStatus[];
  progress: ProgressEvidence | null;
  /** Signals without data this step and why (query failed, no series, low volume, not measurable). */
  missing: MissingSignal[];
}

export interface BacktestReport {
  timeline: TimelineEntry[];
  summary: {
    cluster: string;
    metric_style: MetricStyle;
    start: string;
    end: string;
    step_sec: number;
    steps: number;
    state_counts: Record<HealthState, number>;
    state_changes: number;
    first_at: Record<HealthState, string | null>;
  };
}

/**
 * Replay the engine over history: one `query_range` per catalog query, one snapshot per step, engine state carried
 * from step to step exactly as the observe workflow carries it.
 * @throws AppError CONFIG_INVALID when no style is given and none can be detected; INVALID_INPUT for a bad range.
 */
export async function runBacktest(input: {
  prometheus: PrometheusClient;
  cluster: ClusterConfig;
  startMs: number;
  endMs: number;
  stepMs: number;
  metricStyle?: MetricStyle;
  signal?: AbortSignal;
  /** Called after each step, in order, e.g. to store the cycle (the demo does). */
  onStep?: (step: { snapshot: SignalsSnapshot; decision: Decision; state: EngineState }) => Promise<void>;
}): Promise<BacktestReport> {
  const style = input.metricStyle ?? input.cluster.metric_style ?? (await detectMetricStyle(input));
  if (style === null) {
    throw new AppError('CONFIG_INVALID', 'cannot detect the metric naming style: pass --metric-style otel|tally');
  }
  const snapshots = await observeRange({ ...input, metricStyle: style });
  let state: EngineState = initialEngineState(input.cluster.initial_band ?? null);
  const timeline: TimelineEntry[] = [];
  for (const snapshot of snapshots) {
    const result = evaluate({
      snapshot,
      state,
      ...(input.cluster.overrides ? { overrides: input.cluster.overrides } : {}),
    });
    state = result.state;
    const { decision } = result;
    await input.onStep?.({ snapshot, decision, state });
    timeline.push({
      at: decision.at,
      health_state: decision.health_state,
      scale_band: decision.scale_band,
      data_quality: decision.data_quality,
      firing: decision.firing.filter((finding) => !finding.suppressed).map((finding) => finding.rule_id),
      idle: decision.idle,
      system_busy: decision.system_busy,
      consecutive_critical: decision.consecutive_critical,
      unevaluated_rules: decision.unevaluated_rules,
      bottleneck: decision.bottleneck.classification,
      services: decision.services,
      progress: decision.progress ?? null,
      missing: snapshot.missing,
    });
  }
  const counts: Record<HealthState, number> = { happy: 0, stressed: 0, critical: 0, unknown: 0 };
  const firstAt: Record<HealthState, string | null> = { happy: null, stressed: null, critical: null, unknown: null };
  for (const entry of timeline) {
    counts[entry.health_state] += 1;
    firstAt[entry.health_state] ??= entry.at;
  }
  return {
    timeline,
    summary: {
      cluster: input.cluster.name,
      metric_style: style,
      start: new Date(input.startMs).toISOString(),
      end: new Date(input.endMs).toISOString(),
      step_sec: input.stepMs / 1000,
      steps: timeline.length,
      state_counts: counts,
      state_changes: timeline.filter((e, i) => i > 0 && e.health_state !== timeline[i - 1]?.health_state).length,
      first_at: firstAt,
    },
  };
}

/** Collapse consecutive entries with the same state, band and data quality into spans for the table view. */
export function formatTimelineTable(report: BacktestReport): string {
  const rows: string[][] = [['from', 'to', 'state', 'band', 'data', 'firing']];
  let spanStart = 0;
  report.timeline.forEach((entry, index) => {
    const next = report.timeline[index + 1];
    const same = (other: TimelineEntry | undefined) =>
      other !== undefined &&
      other.health_state === entry.health_state &&
      other.scale_band === entry.scale_band &&
      other.data_quality === entry.data_quality;
    if (same(next)) return;
    const firing = new Set(report.timeline.slice(spanStart, index + 1).flatMap((e) => e.firing));
    rows.push([
      report.timeline[spanStart]?.at ?? '',
      entry.at,
      entry.health_state,
      entry.scale_band,
      entry.data_quality,
      [...firing].join(' ') || '-',
    ]);
    spanStart = index + 1;
  });
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const s = report.summary;
  const totals = Object.entries(s.state_counts)
    .map(([state, n]) => `${state} ${n}`)
    .join(', ');
  return `${lines.join('\n')}\n\n${s.steps} steps of ${s.step_sec}s (${s.metric_style}): ${totals}; ${s.state_changes} state changes\n`;
}

/** Parse a duration such as `30s`, `1m`, `500ms`, `2h` into ms. @throws AppError INVALID_INPUT */
export function parseDurationMs(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const unit = match?.[2];
  if (!match || (unit !== 'ms' && unit !== 's' && unit !== 'm' && unit !== 'h') || Number(match[1]) <= 0) {
    throw new AppError('INVALID_INPUT', `${flag} must be a duration like 30s, 1m or 500ms; got ${text}`);
  }
  return Number(match[1]) * factor[unit];
}

/** Parse an ISO 8601 instant into epoch ms. @throws AppError INVALID_INPUT */
export function parseIsoMs(text: string | undefined, flag: string): number {
  const ms = text === undefined ? Number.NaN : Date.parse(text);
  if (Number.isNaN(ms))
    throw new AppError('INVALID_INPUT', `${flag} must be an ISO 8601 time; got ${text ?? 'nothing'}`);
  return ms;
}

/**
 * Parse `--name value` / `--name=value` string flags plus `--help`. Unknown flags, repeated flags and missing values
 * are INVALID_INPUT (exit 2).
 */
export function parseFlags(
  argv: readonly string[],
  names: readonly string[],
): { help: boolean; values: Map<string, string> } {
  const values = new Map<string, string>();
  let help = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const [flag = '', inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [''];
    if (!names.includes(flag)) throw new AppError('INVALID_INPUT', `unknown option ${arg} (see --help)`);
    if (values.has(flag)) throw new AppError('INVALID_INPUT', `--${flag} given twice`);
    const value = inline ?? argv[++index];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new AppError('INVALID_INPUT', `--${flag} needs a value`);
    }
    values.set(flag, value);
  }
  return { help, values };
}

export function parseMetricStyle(text: string | undefined): MetricStyle | undefined {
  if (text === undefined) return undefined;
  const style = MetricStyleType(text);
  if (typeof style !== 'string')
    throw new AppError('INVALID_INPUT', `--metric-style must be otel or tally; got ${text}`);
  return style;
}

const HELP = `usage: bun run copilot backtest --prometheus-url URL [--sigv4-region REGION] --start ISO --end ISO [--step 30s]
                               [--selector LABELS] [--metric-style otel|tally] [--cluster NAME] [--overrides JSON|@FILE]
                               [--format json|table]

Runs the signal catalog over history with query_range and steps the health engine over every step, carrying its
state, as the observe workflow would have. Prints a table of state spans, or with --format json an object
{timeline: [{at, health_state, scale_band, data_quality, firing}], summary}.

options:
${PROMETHEUS_FLAGS_HELP}
  --start ISO, --end ISO the range, ISO 8601
  --step DURATION        evaluation step (default 30s)
  --selector LABELS      label matchers added to every selector, e.g. 'cluster="prod"'
  --metric-style STYLE   otel or tally (default: detected from metric names)
  --cluster NAME         name to put in snapshots (default backtest)
  --overrides JSON|@FILE threshold overrides, as a cluster's "overrides" in COPILOT_CLUSTERS (docs/rules.md)
  --format json|table    output format (default table)
`;

export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'replay the health engine over Prometheus history (query_range)',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { help, values } = parseFlags(argv, [
      ...PROMETHEUS_FLAGS,
      'start',
      'end',
      'step',
      'selector',
      'metric-style',
      'cluster',
      'overrides',
      'format',
    ]);
    if (help) {
      io.out(HELP);
      return EXIT.ok;
    }
    const format = values.get('format') ?? 'table';
    if (format !== 'json' && format !== 'table') throw new AppError('INVALID_INPUT', '--format must be json or table');
    const metricStyle = parseMetricStyle(values.get('metric-style'));
    const selector = values.get('selector');
    const { cluster, prometheus } = prometheusFromFlags({
      values,
      clusterName: values.get('cluster') ?? 'backtest',
      // Range queries over a day are heavier than a cycle's instant queries.
      timeoutMs: 60_000,
      ...(selector === undefined ? {} : { selector }),
    });
    const overrides = overridesFromFlag(values.get('overrides'));
    const report = await runBacktest({
      prometheus,
      cluster: overrides ? { ...cluster, overrides } : cluster,
      startMs: parseIsoMs(values.get('start'), '--start'),
      endMs: parseIsoMs(values.get('end'), '--end'),
      stepMs: parseDurationMs(values.get('step') ?? '30s', '--step'),
      ...(metricStyle ? { metricStyle } : {}),
    });
    io.out(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatTimelineTable(report));
    return EXIT.ok;
  },
};
