import type { PrometheusClient } from '../clients/prometheus.ts';
import type { CounterNaming, MetricStyle, SdkNaming, TimerUnit } from '../models/index.ts';
import { AppError, isAppError } from '../models/index.ts';
import {
  buildSignalQueries,
  defaultTimerUnit,
  detectUnlessKnown,
  EMITTED_ONLY_WHEN,
  namingFromMetricNames,
  observeCluster,
  SIGNAL_CATALOG,
  tierOf,
} from '../signals/index.ts';
import { parseFlags, parseIsoMs, parseMetricStyle } from './backtest.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';
import { PROMETHEUS_FLAGS, PROMETHEUS_FLAGS_HELP, prometheusFromFlags } from './prometheus-flags.ts';

export interface DoctorReport {
  prometheus: {
    url: string;
    reachable: boolean;
    error?: string;
    detected_style: MetricStyle | null;
    style_used: MetricStyle;
    counter_naming: CounterNaming;
    /** How the workers' SDK exporters name their metrics (null: no SDK metric, sdk-core's defaults assumed). */
    sdk_naming: SdkNaming | null;
    /** The unit the server's timers were read in (detected from bucket bounds for bare `_bucket` names). */
    timer_unit: TimerUnit;
  };
  metrics: {
    present: string[];
    /** `emitted_only_when` is set for names a healthy server lacks until that event happens. */
    missing: { name: string; signals: string[]; blinds: string[]; emitted_only_when?: string }[];
  };
  signals: { id: string; tier: string; has_data: boolean; value: number | null; reason?: string; detail?: string }[];
  loki?: { url: string; ok: boolean; status?: number; error?: string };
}

function valueAt(snapshot: Record<string, unknown>, path: string): number | null {
  let node: unknown = snapshot;
  for (const key of path.split('.')) node = typeof node === 'object' && node !== null ? Reflect.get(node, key) : null;
  return typeof node === 'number' ? node : null;
}

async function checkLoki(url: string, fetchFn: typeof fetch): Promise<NonNullable<DoctorReport['loki']>> {
  try {
    const response = await fetchFn(`${url.replace(/\/+$/, '')}/loki/api/v1/labels`, {
      signal: AbortSignal.timeout(5000),
    });
    await response.body?.cancel();
    return { url, ok: response.ok, status: response.status };
  } catch (error) {
    return { url, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Diagnose a data source: which naming style it speaks, which catalog metric names exist, which signals have data
 * now, and what each missing name blinds. Metric names are listed server-wide; signal values honour the selector.
 */
export async function runDoctor(input: {
  prometheus: PrometheusClient;
  prometheusUrl: string;
  selector?: string;
  metricStyle?: MetricStyle;
  lokiUrl?: string;
  fetch?: typeof fetch;
  nowMs: number;
}): Promise<DoctorReport> {
  let names: string[] = [];
  let error: string | undefined;
  try {
    names = await input.prometheus.metricNames();
  } catch (caught) {
    error = isAppError(caught) ? `${caught.code}: ${caught.message}` : String(caught);
  }
  const { style: detected, counters: detectedCounters } = namingFromMetricNames(names);
  // The same detection the observer runs: SDK naming from the user workers' series, the timer unit from bounds.
  const naming = await detectUnlessKnown({
    known: { style: input.metricStyle ?? detected ?? null, counters: detectedCounters ?? null },
    prometheus: input.prometheus,
    atMs: input.nowMs,
  });
  const sdk = naming.sdk ?? null;
  const timerUnit = naming.timerUnit ?? null;
  const style = input.metricStyle ?? detected ?? 'otel';
  // Exporters differ on the `_total` suffix; check the names this server actually uses.
  const counters = detectedCounters ?? 'total';
  const present = new Set(names);
  const queries = buildSignalQueries({
    style,
    counters,
    matchers: [],
    ...(sdk ? { sdk } : {}),
    ...(timerUnit ? { timerUnit } : {}),
  });
  const users = new Map<string, string[]>();
  for (const signal of queries)
    for (const name of signal.metrics) users.set(name, [...(users.get(name) ?? []), signal.id]);
  const blindsOf = (id: string) => SIGNAL_CATALOG.find((s) => s.id === id)?.blinds ?? '';
  const missing = [...users.entries()]
    .filter(([name]) => !present.has(name))
    .map(([name, ids]) => {
      const condition = emittedOnlyWhen(name);
      return {
        name,
        signals: ids,
        blinds: [...new Set(ids.map(blindsOf))],
        ...(condition === undefined ? {} : { emitted_only_when: condition }),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const snapshot = await observeCluster({
    cluster: {
      name: 'doctor',
      prometheus_url: input.prometheusUrl,
      ...(input.selector ? { selector: input.selector } : {}),
    },
    atMs: input.nowMs,
    prometheus: input.prometheus,
    metricStyle: style,
    counters,
  });
  const signals = SIGNAL_CATALOG.map((signal) => {
    const why = snapshot.missing.find((m) => m.signal === signal.id);
    const value = valueAt(snapshot, signal.id);
    return {
      id: signal.id,
      tier: tierOf(signal.id),
      has_data: value !== null,
      value,
      ...(why ? { reason: why.reason, ...(why.detail ? { detail: why.detail } : {}) } : {}),
    };
  });
  return {
    prometheus: {
      url: input.prometheusUrl,
      reachable: error === undefined,
      ...(error === undefined ? {} : { error }),
      detected_style: detected,
      style_used: style,
      counter_naming: counters,
      sdk_naming: sdk,
      timer_unit: timerUnit ?? defaultTimerUnit(style),
    },
    metrics: { present: [...users.keys()].filter((name) => present.has(name)).sort(), missing },
    signals,
    ...(input.lokiUrl ? { loki: await checkLoki(input.lokiUrl, input.fetch ?? globalThis.fetch) } : {}),
  };
}

/** The condition under which a metric family first appears, for a concrete series name of that family. */
function emittedOnlyWhen(name: string): string | undefined {
  const family = Object.keys(EMITTED_ONLY_WHEN)
    .filter((key) => name === key || name.startsWith(`${key}_`))
    .sort((a, b) => b.length - a.length)[0];
  return family === undefined ? undefined : EMITTED_ONLY_WHEN[family];
}

export function formatDoctorTable(report: DoctorReport): string {
  const p = report.prometheus;
  const lines = [
    `prometheus ${p.url}: ${p.reachable ? 'reachable' : `UNREACHABLE (${p.error ?? ''})`}`,
    `naming style: detected ${p.detected_style ?? 'none'}, using ${p.style_used}; counters ${p.counter_naming === 'total' ? 'end in _total' : 'have no _total suffix'}`,
    p.sdk_naming === null
      ? 'SDK metrics: none (worker signals assume sdk-core defaults: bare counters, milliseconds)'
      : `SDK metrics: counters ${p.sdk_naming.counters === 'total' ? 'end in _total' : 'have no _total suffix'}, durations in ${p.sdk_naming.duration_unit}${p.sdk_naming.duration_suffix ? ` (${p.sdk_naming.duration_suffix}_bucket)` : ' (bare _bucket)'}`,
    `catalog metric names: ${report.metrics.present.length} present, ${report.metrics.missing.length} missing (${
      report.metrics.missing.filter((m) => m.emitted_only_when === undefined).length
    } unexpected)`,
    '',
    'signals:',
    ...report.signals.map(
      (s) =>
        `  ${s.has_data ? 'ok  ' : 'NULL'} ${s.id}${s.has_data ? ` = ${s.value}` : ` (${s.reason ?? ''}${s.detail ? `: ${s.detail}` : ''})`}`,
    ),
    '',
    'missing metric names and what they blind:',
    ...report.metrics.missing.map(
      (m) =>
        `  ${m.name}${m.emitted_only_when ? ` (normal until ${m.emitted_only_when})` : ''}\n    signals: ${m.signals.join(', ')}\n    blinds: ${m.blinds.join('; ')}`,
    ),
  ];
  if (report.loki) {
    const l = report.loki;
    lines.push('', `loki ${l.url}: ${l.ok ? 'answers /loki/api/v1/labels' : `NOT OK (${l.status ?? l.error ?? ''})`}`);
  }
  return `${lines.join('\n')}\n`;
}

const HELP = `usage: bun run copilot doctor --prometheus-url URL [--sigv4-region REGION] [--loki-url URL]
                             [--selector LABELS] [--metric-style otel|tally] [--at ISO] [--format json|table]

Checks a cluster's data sources: which naming style the Temporal exporter uses, which metric names the signal
catalog reads exist, which signals have data right now (and why not), what each missing name blinds, and whether
Loki answers (GET /loki/api/v1/labels, 5 s timeout). --at evaluates the signals at a past instant instead of now.
Exits 1 when Prometheus or Loki cannot be reached.

options:
${PROMETHEUS_FLAGS_HELP}
  --loki-url URL         Loki base URL to check
  --selector LABELS      label matchers added to every selector, e.g. 'cluster="prod"'
  --metric-style STYLE   otel or tally (default: detected from metric names)
  --at ISO               evaluate at this past instant instead of now
  --format json|table    output format (default table)
`;

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check data sources: naming style, metric names, which signals have data and what gaps blind',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { help, values } = parseFlags(argv, [
      ...PROMETHEUS_FLAGS,
      'loki-url',
      'selector',
      'metric-style',
      'format',
      'at',
    ]);
    if (help) {
      io.out(HELP);
      return EXIT.ok;
    }
    const format = values.get('format') ?? 'table';
    if (format !== 'json' && format !== 'table') throw new AppError('INVALID_INPUT', '--format must be json or table');
    const metricStyle = parseMetricStyle(values.get('metric-style'));
    const selector = values.get('selector');
    const lokiUrl = values.get('loki-url');
    const { cluster, prometheus } = prometheusFromFlags({ values, clusterName: 'doctor', maxAttempts: 2 });
    const report = await runDoctor({
      prometheus,
      prometheusUrl: cluster.prometheus_url,
      nowMs: values.has('at') ? parseIsoMs(values.get('at'), '--at') : Date.now(),
      ...(selector === undefined ? {} : { selector }),
      ...(metricStyle ? { metricStyle } : {}),
      ...(lokiUrl === undefined ? {} : { lokiUrl }),
    });
    io.out(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorTable(report));
    return report.prometheus.reachable && (report.loki?.ok ?? true) ? EXIT.ok : EXIT.failure;
  },
};
