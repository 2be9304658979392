import type {
  CounterNaming,
  MetricStyle,
  MissingSignal,
  SdkNaming,
  SignalsSnapshot,
  TimerUnit,
} from '../models/index.ts';
import { parseOrThrow, SignalsSnapshot as SignalsSnapshotSchema } from '../models/index.ts';
import type { SignalId } from './catalog.ts';
import { SIGNAL_CATALOG } from './catalog.ts';

/** What one PromQL input produced for one instant. */
export type QueryOutcome = { kind: 'value'; value: number } | { kind: 'no_series' } | { kind: 'failed'; code: string };

type Resolved = { value: number } | { missing: MissingSignal };

function fromOutcome(id: SignalId, outcome: QueryOutcome | undefined): Resolved {
  if (outcome === undefined) return { missing: { signal: id, reason: 'not_queried' } };
  switch (outcome.kind) {
    case 'failed':
      return { missing: { signal: id, reason: 'query_failed', detail: outcome.code } };
    case 'no_series':
      return { missing: { signal: id, reason: 'no_series' } };
    case 'value':
      // NaN is what PromQL gives for a quantile or ratio over a window with no observations.
      if (Number.isNaN(outcome.value)) {
        return { missing: { signal: id, reason: 'low_volume', detail: 'NaN: no observations in the window' } };
      }
      if (!Number.isFinite(outcome.value)) {
        return { missing: { signal: id, reason: 'query_failed', detail: `non-finite result ${outcome.value}` } };
      }
      return { value: outcome.value };
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

function resolveSignal(input: {
  index: number;
  inputs: Readonly<Record<string, string>>;
  outcomes: ReadonlyMap<string, QueryOutcome>;
}): Resolved {
  const signal = SIGNAL_CATALOG[input.index];
  if (!signal) throw new Error('catalog index out of range');
  const { measure, id } = signal;
  if (measure.kind === 'not_measurable')
    return { missing: { signal: id, reason: 'not_measurable', detail: measure.reason } };
  const values: Record<string, number> = {};
  for (const [name, promql] of Object.entries(input.inputs)) {
    const outcome = input.outcomes.get(promql);
    // A derivation sees NaN itself: "no observations" can be an answer (e.g. nothing waited in a backlog).
    if (measure.derive && outcome?.kind === 'value') {
      values[name] = outcome.value;
      continue;
    }
    if (measure.optionalInputs && outcome?.kind === 'no_series') continue;
    const resolved = fromOutcome(id, outcome);
    if ('missing' in resolved) return resolved;
    values[name] = resolved.value;
  }
  let value = values['value'] ?? Number.NaN;
  if (measure.derive) {
    const derived = measure.derive(values);
    if ('missing' in derived) return { missing: { signal: id, reason: derived.missing, detail: derived.detail } };
    value = derived.value;
  }
  if (measure.clamp === 'ratio') value = Math.min(1, Math.max(0, value));
  if (measure.clamp === 'pct') value = Math.min(100, Math.max(0, value));
  if (!Number.isFinite(value)) return fromOutcome(id, { kind: 'value', value });
  if (value < 0) return { missing: { signal: id, reason: 'query_failed', detail: `negative result ${value}` } };
  return { value };
}

function setPath(target: Record<string, unknown>, path: string, value: number | null): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) node = child as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys.at(-1) ?? path] = value;
}

/**
 * Assemble and validate a SignalsSnapshot from per-query outcomes. `queries[i]` must be the PromQL inputs of
 * `SIGNAL_CATALOG[i]` (as built by `buildSignalQueries`). Missing values are null with their reason in `missing`.
 * @throws AppError INVALID_INPUT only if the catalog and the schema disagree (a bug, caught by tests).
 */
export function assembleSnapshot(input: {
  cluster: string;
  atMs: number;
  style: MetricStyle;
  /** How the queries named counters; recorded in the snapshot when given. */
  counters?: CounterNaming;
  /** How the worker signals' queries named SDK metrics; recorded when given. */
  sdk?: SdkNaming;
  /** The server timer unit the queries read; recorded when given. */
  timerUnit?: TimerUnit;
  queries: readonly { inputs: Readonly<Record<string, string>> }[];
  outcomes: ReadonlyMap<string, QueryOutcome>;
}): SignalsSnapshot {
  const draft: Record<string, unknown> = {
    at: new Date(input.atMs).toISOString(),
    cluster: input.cluster,
    metric_style: input.style,
    ...(input.counters ? { counter_naming: input.counters } : {}),
    ...(input.sdk ? { sdk_naming: input.sdk } : {}),
    ...(input.timerUnit ? { timer_unit: input.timerUnit } : {}),
  };
  const missing: MissingSignal[] = [];
  input.queries.forEach((queries, index) => {
    const resolved = resolveSignal({ index, inputs: queries.inputs, outcomes: input.outcomes });
    const id = SIGNAL_CATALOG[index]?.id ?? '';
    if ('missing' in resolved) {
      missing.push(resolved.missing);
      setPath(draft, id, null);
    } else {
      setPath(draft, id, resolved.value);
    }
  });
  draft['missing'] = missing;
  return parseOrThrow(SignalsSnapshotSchema, draft, 'signals snapshot');
}
