import type {
  Decision,
  RuleFinding,
  ServiceName,
  SignalsSnapshot,
  ThresholdProfile,
  WindowEntry,
} from '../models/index.ts';

/**
 * The signal side of the evidence bundle: primary values classified against the thresholds the decision used, measured
 * amplifiers and worker values, and window trends. Pure; every list is in a fixed order so that the same inputs
 * give byte-identical evidence (and the same prompt, and the same cached answer).
 */

export type SignalLevel = 'normal' | 'elevated' | 'high' | 'critical' | 'no_data' | 'not_judged';
export type EvidenceService = ServiceName | 'copilot';

export interface SignalItem {
  id: string;
  signal: string;
  service: EvidenceService;
  value: number | null;
  level: SignalLevel;
  /** The threshold (band profile plus overrides) the level was judged against, when the signal has one. */
  threshold: number | null;
}

export interface TrendItem {
  id: string;
  metric: string;
  first: number;
  last: number;
  cycles: number;
  direction: 'improving' | 'stable' | 'worsening';
}

/** Below this fraction of an upper threshold a value is normal; above it, elevated (approaching). */
const APPROACH_FRACTION = 0.75;

type Bound = { kind: 'upper' | 'lower'; threshold: (profile: ThresholdProfile) => number };

/** Signals with a band threshold. Lower bounds are judged against the healthy floor, upper against the stress limit. */
const BOUNDS: Readonly<Record<string, Bound>> = {
  'primary.state_transitions.throughput_per_sec': {
    kind: 'lower',
    threshold: (t) => t.healthy.state_transitions_healthy_per_sec,
  },
  'primary.state_transitions.latency_p99_ms': {
    kind: 'upper',
    threshold: (t) => t.stressed.state_transition_latency_p99_max_ms,
  },
  'primary.workflow_completion.completion_rate': {
    kind: 'lower',
    threshold: (t) => t.healthy.workflow_completion_rate_healthy,
  },
  'primary.history.backlog_age_sec': { kind: 'upper', threshold: (t) => t.stressed.history_backlog_age_stress_sec },
  'primary.history.task_processing_rate_per_sec': {
    kind: 'lower',
    threshold: (t) => t.critical.history_processing_rate_min_per_sec,
  },
  'primary.history.shard_churn_rate_per_sec': {
    kind: 'upper',
    threshold: (t) => t.stressed.shard_churn_rate_max_per_sec,
  },
  'primary.frontend.latency_p99_ms': { kind: 'upper', threshold: (t) => t.stressed.frontend_latency_p99_max_ms },
  'primary.poller.poll_timeout_rate': { kind: 'upper', threshold: (t) => t.stressed.poller_timeout_rate_max },
  'primary.persistence.latency_p99_ms': { kind: 'upper', threshold: (t) => t.stressed.persistence_latency_p99_max_ms },
  'primary.persistence.error_rate_per_sec': {
    kind: 'upper',
    threshold: (t) => t.critical.persistence_error_rate_max_per_sec,
  },
};

/** The Temporal service a snapshot path speaks for (the rules-only explainer uses the same grouping). */
export function serviceOfSignal(path: string): EvidenceService {
  const [root, group] = path.split('.');
  if (root === 'worker' || root === 'worker_amplifiers') return 'workers';
  switch (group) {
    case 'frontend':
    case 'throttling':
      return 'frontend';
    case 'matching':
    case 'poller':
    case 'queue':
      return 'matching';
    case 'persistence':
    case 'connection_pool':
      return 'persistence';
    case 'worker':
    case 'cache':
      return root === 'amplifiers' && group === 'worker' ? 'workers' : 'history';
    default:
      return 'history';
  }
}

/** Leaves of a nested record of measured values, as dotted paths in key order. */
function leaves(prefix: string, node: unknown): [string, number | null][] {
  if (node === null || typeof node === 'number') return [[prefix, node]];
  if (typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, child]) => leaves(`${prefix}.${key}`, child));
}

function levelOfFinding(finding: RuleFinding): SignalLevel {
  switch (finding.level) {
    case 'critical':
      return 'critical';
    case 'stressed':
      return 'high';
    case 'not_happy':
      return 'elevated';
    default: {
      const unreachable: never = finding.level;
      return unreachable;
    }
  }
}

function classify(path: string, value: number | null, profile: ThresholdProfile, finding?: RuleFinding): SignalLevel {
  if (value === null) return 'no_data';
  if (finding) return levelOfFinding(finding);
  const bound = BOUNDS[path];
  if (bound === undefined) return 'not_judged';
  const threshold = bound.threshold(profile);
  // A value past its threshold that no counting rule fired on (idle, demand gate, system busy) is only elevated: the
  // rules judged it and did not count it, and the evidence must not say more than the rules.
  if (bound.kind === 'upper') return value > threshold * APPROACH_FRACTION ? 'elevated' : 'normal';
  return value < threshold ? 'elevated' : 'normal';
}

export interface PrimaryItemsInput {
  decision: Decision;
  snapshot: SignalsSnapshot;
  /** The thresholds the engine decided with (band profile plus the cluster's overrides), never the bare band's. */
  profile: ThresholdProfile;
}

/** Every primary value, classified; order is the snapshot's key order. */
export function primaryItems(input: PrimaryItemsInput): SignalItem[] {
  const { decision, snapshot, profile } = input;
  const counting = new Map<string, RuleFinding>();
  for (const finding of decision.firing) {
    const current = counting.get(finding.signal);
    if (finding.suppressed) continue;
    if (current === undefined || levelRank(finding) > levelRank(current)) counting.set(finding.signal, finding);
  }
  return leaves('primary', snapshot.primary).map(([signal, value]) => ({
    id: `signal:${signal.slice('primary.'.length)}`,
    signal,
    service: serviceOfSignal(signal),
    value,
    level: classify(signal, value, profile, counting.get(signal)),
    threshold: BOUNDS[signal]?.threshold(profile) ?? null,
  }));
}

function levelRank(finding: RuleFinding): number {
  return finding.level === 'critical' ? 2 : finding.level === 'stressed' ? 1 : 0;
}

/** Measured (non-null) leaves under `root`; a null amplifier is absent evidence, not a zero. */
export function measuredItems(
  root: 'amplifiers' | 'worker' | 'worker_amplifiers',
  snapshot: SignalsSnapshot,
): SignalItem[] {
  const prefix = root === 'amplifiers' ? 'amp' : root === 'worker' ? 'worker' : 'worker_amp';
  return leaves(root, snapshot[root])
    .filter((entry): entry is [string, number] => entry[1] !== null)
    .map(([signal, value]) => ({
      id: `${prefix}:${signal.slice(root.length + 1)}`,
      signal,
      service: serviceOfSignal(signal),
      value,
      level: 'not_judged',
      threshold: null,
    }));
}

type TrendMetric = { key: keyof WindowEntry & string; higherIsBetter: boolean };

const TREND_METRICS: readonly TrendMetric[] = [
  { key: 'throughput_per_sec', higherIsBetter: true },
  { key: 'completion_rate', higherIsBetter: true },
  { key: 'backlog_age_sec', higherIsBetter: false },
  { key: 'state_transition_latency_p99_ms', higherIsBetter: false },
  { key: 'persistence_latency_p99_ms', higherIsBetter: false },
];

/** ±10 % between the halves' averages is stable (the original's narrative design, reference §6.6). */
const TREND_BAND = 0.1;
const MIN_TREND_CYCLES = 4;

function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Trends over the window (oldest first), for metrics with at least four measured cycles. */
export function trendItems(window: readonly WindowEntry[]): TrendItem[] {
  const ordered = [...window].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const trends: TrendItem[] = [];
  for (const metric of TREND_METRICS) {
    const values = ordered.map((entry) => entry[metric.key]).filter((v): v is number => typeof v === 'number');
    const first = values[0];
    const last = values.at(-1);
    if (values.length < MIN_TREND_CYCLES || first === undefined || last === undefined) continue;
    const mid = Math.floor(values.length / 2);
    const before = average(values.slice(0, mid));
    const after = average(values.slice(mid));
    const change = before === 0 ? (after === 0 ? 0 : Number.POSITIVE_INFINITY) : (after - before) / before;
    const direction =
      Math.abs(change) <= TREND_BAND ? 'stable' : change > 0 === metric.higherIsBetter ? 'improving' : 'worsening';
    trends.push({ id: `trend:${metric.key}`, metric: metric.key, first, last, cycles: values.length, direction });
  }
  return trends;
}
