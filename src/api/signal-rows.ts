import type {
  Decision,
  RuleFinding,
  SignalClassification,
  SignalReading,
  SignalsSnapshot,
  SignalTierName,
  SignalUnitName,
} from '../models/index.ts';
import { isRecord, signalPaths } from '../models/index.ts';

/**
 * The latest snapshot as flat rows, each classified from what the stored decision says about its signal. `api` may
 * not import `health`, so classification reads the decision's rule results only: a signal a firing rule names takes
 * that rule's level and threshold; the nearest escalation's signal is `normal` against its threshold; any other
 * signal with a value is `unclassified`, because the stored decision does not say which rules passed on it.
 */

const TIER_OF_GROUP: Readonly<Record<string, SignalTierName>> = {
  primary: 'primary',
  amplifiers: 'amplifier',
  worker: 'worker',
  worker_amplifiers: 'worker_amplifier',
};

/** Ratios whose names carry no unit suffix (the catalog's `ratio` unit); test/api/signal-rows.test.ts checks them. */
const RATIO_NAMES = new Set([
  'completion_rate',
  'poll_success_rate',
  'poll_timeout_rate',
  'hit_rate',
  'hot_shard_ratio',
]);

/** The unit a signal's name states (convention: units in names); counts carry none. */
export function unitOfSignal(name: string): SignalUnitName {
  if (name.endsWith('_per_sec')) return 'per_sec';
  if (name.endsWith('_per_min')) return 'per_min';
  if (name.endsWith('_ms')) return 'ms';
  if (name.endsWith('_sec')) return 'sec';
  if (name.endsWith('_pct')) return 'pct';
  if (name.endsWith('_bytes')) return 'bytes';
  if (RATIO_NAMES.has(name) || name.endsWith('_hit_rate')) return 'ratio';
  return 'count';
}

const LEVEL_RANK: Readonly<Record<RuleFinding['level'], number>> = { not_happy: 1, stressed: 2, critical: 3 };

function classOfLevel(level: RuleFinding['level']): SignalClassification {
  switch (level) {
    case 'critical':
      return 'critical';
    case 'stressed':
      return 'high';
    case 'not_happy':
      return 'elevated';
    default: {
      const unreachable: never = level;
      return unreachable;
    }
  }
}

/** The worst finding on a signal: unsuppressed findings outrank suppressed ones, then by level. */
function worstFinding(findings: readonly RuleFinding[]): RuleFinding | null {
  let worst: RuleFinding | null = null;
  const rank = (f: RuleFinding) => (f.suppressed ? 0 : 10) + LEVEL_RANK[f.level];
  for (const finding of findings) if (worst === null || rank(finding) > rank(worst)) worst = finding;
  return worst;
}

function valueAt(snapshot: SignalsSnapshot, path: string): number | null {
  let node: unknown = snapshot;
  for (const part of path.split('.')) node = isRecord(node) ? node[part] : undefined;
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

/** Every signal of the snapshot, in catalog order, classified against the decision made from it. */
export function signalReadings(snapshot: SignalsSnapshot, decision: Decision): SignalReading[] {
  const missing = new Map(snapshot.missing.map((entry) => [entry.signal, entry.reason]));
  const findings = new Map<string, RuleFinding[]>();
  for (const finding of decision.firing)
    findings.set(finding.signal, [...(findings.get(finding.signal) ?? []), finding]);
  const nearest = decision.nearest_escalation;
  return signalPaths().map((signal) => {
    const parts = signal.split('.');
    const name = parts.at(-1) ?? signal;
    const value = valueAt(snapshot, signal);
    const base = {
      signal,
      tier: TIER_OF_GROUP[parts[0] ?? ''] ?? 'worker',
      group: parts.length > 2 ? (parts[1] ?? '') : '',
      name,
      value,
      unit: unitOfSignal(name),
      missing_reason: value === null ? (missing.get(signal) ?? null) : null,
    };
    const finding = worstFinding(findings.get(signal) ?? []);
    if (value === null) {
      return {
        ...base,
        classification: 'no_data',
        threshold: null,
        comparison: null,
        rule_id: null,
        suppressed: false,
      };
    }
    if (finding) {
      return {
        ...base,
        classification: classOfLevel(finding.level),
        threshold: finding.threshold,
        comparison: finding.comparison,
        rule_id: finding.rule_id,
        suppressed: finding.suppressed,
      };
    }
    if (nearest && nearest.signal === signal) {
      return {
        ...base,
        classification: 'normal',
        threshold: nearest.threshold,
        comparison: nearest.comparison,
        rule_id: nearest.rule_id,
        suppressed: false,
      };
    }
    return {
      ...base,
      classification: 'unclassified',
      threshold: null,
      comparison: null,
      rule_id: null,
      suppressed: false,
    };
  });
}
