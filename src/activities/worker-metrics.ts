import type { ExplainerCallRecord, HistogramSeries, MetricType, WorkerMetricsSink } from '../models/index.ts';
import { family, histogramLines, isErrorCode, labelSet, sampleValue } from '../models/index.ts';

/**
 * The worker's own metrics: an in-process registry the activities record into (through `WorkerMetricsSink`) and
 * the worker serves at `/metrics` in the text format 0.0.4. Every family's HELP and TYPE are always written, so
 * dashboards and alert rules can name a family before its first sample; samples appear when something happened.
 * Label values are bounded: clusters, models and operations come from configuration and code, error codes are
 * ours or `OTHER`.
 */

/**
 * Bounds of `copilot_cycle_duration_seconds`. A cycle is stored a few seconds after its slot starts (the fetch has a
 * 15 s budget inside a 30 s slot); the tail buckets say a cycle was stored a slot or more late.
 */
export const CYCLE_DURATION_BOUNDS_SEC: readonly number[] = [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120];
/** Bounds of `copilot_explainer_latency_seconds`: dispatcher calls take about a second, researcher calls tens. */
export const EXPLAINER_LATENCY_BOUNDS_SEC: readonly number[] = [0.5, 1, 2, 5, 10, 20, 30, 60, 120];

/** A histogram series as recorded (mutable counts); the exposition reads it as a `HistogramSeries`. */
interface Histogram extends HistogramSeries {
  counts: number[];
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Samples of one family keyed by their label values in a fixed order, so equal label sets share one series. */
class Series<T> {
  readonly byKey = new Map<string, T>();
  get(labels: readonly string[], create: () => T): T {
    const key = labels.join('\u0000');
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    const created = create();
    this.byKey.set(key, created);
    return created;
  }
}

function counter(series: Series<Sample>, labels: Record<string, string>, by: number): void {
  if (!Number.isFinite(by) || by < 0) return;
  series.get(Object.values(labels), () => ({ labels, value: 0 })).value += by;
}

function observe(input: {
  series: Series<Histogram>;
  bounds: readonly number[];
  labels: Record<string, string>;
  value: number;
}): void {
  if (!Number.isFinite(input.value)) return;
  const { bounds, value } = input;
  const histogram = input.series.get(Object.values(input.labels), () => ({
    labels: input.labels,
    counts: new Array<number>(bounds.length + 1).fill(0),
    sum: 0,
    count: 0,
  }));
  const index = bounds.findIndex((bound) => value <= bound);
  const slot = index === -1 ? bounds.length : index;
  histogram.counts[slot] = (histogram.counts[slot] ?? 0) + 1;
  histogram.sum += value;
  histogram.count += 1;
}

/** A metric must never fail a cycle: a recording that throws (it should not) is dropped. */
function quietly<I>(record: (input: I) => void): (input: I) => void {
  return (input) => {
    try {
      record(input);
    } catch {
      // Dropped on purpose: see above.
    }
  };
}

export interface WorkerMetricsOptions {
  /** Epoch ms; when the process started (`copilot_worker_start_time_seconds`). @default Date.now() */
  startedMs?: number;
}

export function createWorkerMetrics(options: WorkerMetricsOptions = {}) {
  const startedMs = options.startedMs ?? Date.now();
  const cycleDuration = new Series<Histogram>();
  const lastCycleMs = new Map<string, number>();
  const cyclesStored = new Series<Sample>();
  const queryFailures = new Series<Sample>();
  const assessments = new Series<Sample>();
  const explainerCalls = new Series<Sample>();
  const tokens = new Series<Sample>();
  const cost = new Series<Sample>();
  const explainerLatency = new Series<Histogram>();
  const storeErrors = new Series<Sample>();
  const code = (value: string) => (isErrorCode(value) ? value : 'OTHER');

  const sink: WorkerMetricsSink = {
    cycleStored: quietly((input) => {
      const labels = { cluster: input.cluster };
      counter(cyclesStored, { ...labels, result: input.inserted ? 'inserted' : 'duplicate' }, 1);
      // A retried write of a cycle already stored says nothing new about how late cycles are.
      if (!input.inserted) return;
      observe({ series: cycleDuration, bounds: CYCLE_DURATION_BOUNDS_SEC, labels, value: input.durationMs / 1000 });
      if (
        Number.isFinite(input.slotMs) &&
        input.slotMs > (lastCycleMs.get(input.cluster) ?? Number.NEGATIVE_INFINITY)
      ) {
        lastCycleMs.set(input.cluster, input.slotMs);
      }
    }),
    queryFailed: quietly((input) => {
      counter(queryFailures, { cluster: input.cluster, source: input.source, code: code(input.code) }, 1);
    }),
    assessmentWritten: quietly((input) => {
      if (!input.inserted) return;
      counter(assessments, { cluster: input.cluster, explainer: input.explainer }, 1);
    }),
    explainerCall: quietly((input: ExplainerCallRecord) => {
      const labels = { provider: input.provider, model: input.model, role: input.role };
      counter(explainerCalls, { ...labels, outcome: input.outcome }, 1);
      counter(tokens, { ...labels, direction: 'input' }, input.inputTokens);
      counter(tokens, { ...labels, direction: 'output' }, input.outputTokens);
      counter(cost, labels, input.costUsd);
      observe({
        series: explainerLatency,
        bounds: EXPLAINER_LATENCY_BOUNDS_SEC,
        labels,
        value: input.latencyMs / 1000,
      });
    }),
    storeError: quietly((input) => {
      counter(storeErrors, { operation: input.operation, code: code(input.code) }, 1);
    }),
  };

  function exposition(): string {
    const lines: string[] = [];
    const samples = (input: { name: string; type: MetricType; help: string; series: Series<Sample> }) => {
      family(lines, input);
      for (const s of input.series.byKey.values())
        lines.push(`${input.name}${labelSet(s.labels)} ${sampleValue(s.value)}`);
    };
    const histogram = (input: { name: string; help: string; bounds: readonly number[] } & { s: Series<Histogram> }) => {
      family(lines, { name: input.name, type: 'histogram', help: input.help });
      for (const series of input.s.byKey.values())
        histogramLines(lines, { name: input.name, bounds: input.bounds, series });
    };
    family(lines, {
      name: 'copilot_worker_start_time_seconds',
      type: 'gauge',
      help: 'When this worker process started (epoch seconds); always present, so its absence means no worker is scraped.',
    });
    lines.push(`copilot_worker_start_time_seconds ${sampleValue(startedMs / 1000)}`);
    histogram({
      name: 'copilot_cycle_duration_seconds',
      help: 'How late an observation cycle was stored after its slot started (store time minus slot start), per cluster.',
      bounds: CYCLE_DURATION_BOUNDS_SEC,
      s: cycleDuration,
    });
    family(lines, {
      name: 'copilot_last_cycle_timestamp_seconds',
      type: 'gauge',
      help: 'Slot start (epoch seconds) of the newest cycle this worker stored for the cluster (absent before the first).',
    });
    for (const [cluster, slotMs] of lastCycleMs)
      lines.push(`copilot_last_cycle_timestamp_seconds${labelSet({ cluster })} ${sampleValue(slotMs / 1000)}`);
    samples({
      name: 'copilot_cycles_stored_total',
      type: 'counter',
      help: 'Observation cycles written to the store, by cluster and result (inserted, or duplicate: already stored by an earlier attempt).',
      series: cyclesStored,
    });
    samples({
      name: 'copilot_query_failures_total',
      type: 'counter',
      help: 'Failed queries by cluster, source (prometheus: one per signal per cycle; loki: one per log-pattern count) and error code (OTHER: not one of ours).',
      series: queryFailures,
    });
    samples({
      name: 'copilot_assessments_written_total',
      type: 'counter',
      help: 'Assessments newly written to the store, by cluster and explainer.',
      series: assessments,
    });
    samples({
      name: 'copilot_explainer_calls_total',
      type: 'counter',
      help: 'Model calls of the explainer, by provider, model, role and outcome (accepted, rejected by verification, failed).',
      series: explainerCalls,
    });
    samples({
      name: 'copilot_explainer_tokens_total',
      type: 'counter',
      help: "Tokens of the explainer's model calls, by provider, model, role and direction (input, output).",
      series: tokens,
    });
    samples({
      name: 'copilot_explainer_cost_usd_total',
      type: 'counter',
      help: "Estimated cost in US dollars of the explainer's model calls, from the configured price table (0 for unpriced models).",
      series: cost,
    });
    histogram({
      name: 'copilot_explainer_latency_seconds',
      help: 'Wall time of one explainer model call, by provider, model and role.',
      bounds: EXPLAINER_LATENCY_BOUNDS_SEC,
      s: explainerLatency,
    });
    samples({
      name: 'copilot_worker_store_errors_total',
      type: 'counter',
      help: "Failed state-store operations of the worker's activities, by operation and error code (OTHER: not one of ours).",
      series: storeErrors,
    });
    return `${lines.join('\n')}\n`;
  }

  return { ...sink, exposition };
}

/** The worker's registry: the sink the activities record into, plus its exposition for `/metrics`. */
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
