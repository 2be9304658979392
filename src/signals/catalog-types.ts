import type { SignalsSnapshot } from '../models/index.ts';
import type { QueryBuilder } from './query-builder.ts';

type Leaves<T, Prefix extends string> = {
  [K in keyof T & string]: T[K] extends number | null ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every measured value in the snapshot, as its dotted JSON path (`primary.history.backlog_age_sec`). */
export type SignalId = Leaves<Pick<SignalsSnapshot, 'primary' | 'amplifiers' | 'worker' | 'worker_amplifiers'>, ''>;

export type SignalTier = 'primary' | 'amplifier' | 'worker' | 'worker_amplifier';
export type SignalUnit = 'per_sec' | 'per_min' | 'ms' | 'sec' | 'ratio' | 'pct' | 'count' | 'bytes';

/** A derived value, or why the inputs cannot honestly give one. */
export type Derived = { value: number } | { missing: 'low_volume' | 'no_series'; detail: string };

export type Measure =
  | {
      kind: 'promql';
      /** Named PromQL inputs; a single-input signal's value is that input unless `derive` says otherwise. */
      inputs: (b: QueryBuilder) => Record<string, string>;
      /**
       * Combine inputs (values may be NaN: "no observations"). Called only when every input has a series, unless
       * `optionalInputs` is set: then inputs without a series are simply absent from the record.
       */
      derive?: (inputs: Readonly<Record<string, number>>) => Derived;
      optionalInputs?: boolean;
      /** Clamp only where the arithmetic can overshoot (ratios of counters scraped at different instants). */
      clamp?: 'ratio' | 'pct';
      /** When `derive` answers `low_volume` instead of a value, in words (docs/signals.md is generated from it). */
      volumeGuard?: string;
    }
  | {
      kind: 'not_measurable';
      /** Why no series measures this honestly; shown by `doctor` and kept in `missing`. */
      reason: string;
    };

export interface SignalDefinition {
  id: SignalId;
  unit: SignalUnit;
  summary: string;
  /** What a missing value blinds: the engine gates, services or explanations that read it. */
  blinds: string;
  measure: Measure;
}

export function tierOf(id: SignalId): SignalTier {
  if (id.startsWith('primary.')) return 'primary';
  if (id.startsWith('amplifiers.')) return 'amplifier';
  if (id.startsWith('worker_amplifiers.')) return 'worker_amplifier';
  return 'worker';
}
