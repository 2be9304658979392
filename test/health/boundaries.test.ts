import { describe, expect, test } from 'bun:test';
import type { RuleStatus } from '../../src/health/gates.ts';
import { evaluateRules } from '../../src/health/gates.ts';
import { evaluate, getThresholdProfile, SCALE_BANDS } from '../../src/health/index.ts';
import { progressEvidence } from '../../src/health/progress.ts';
import { CRITICAL_RULES, HEALTHY_RULES, RECOVERY_RULES, type Rule, STRESSED_RULES } from '../../src/health/rules.ts';
import type { PrimarySignals, ScaleBand } from '../../src/models/index.ts';
import { carried, snapshotOf, zeroPrimary } from './fixtures.ts';

/** Throughput that keeps each band under hysteresis while every demand gate is open. */
const BAND_THROUGHPUT: Record<ScaleBand, number> = { starter: 20, 'mid-scale': 100, 'high-throughput': 1000 };

/** A busy, healthy cluster for `band`: demand gates open, every value clear of every threshold. */
function healthyPrimary(band: ScaleBand): PrimarySignals {
  const primary = zeroPrimary();
  const throughput = BAND_THROUGHPUT[band];
  primary.state_transitions.throughput_per_sec = throughput;
  primary.history.task_processing_rate_per_sec = throughput;
  primary.workflow_completion.success_per_sec = 10;
  return primary;
}

/** Write `value` at the rule's dotted signal path, and check that the rule reads it back from there. */
function setSignal(primary: PrimarySignals, rule: Rule, value: number): void {
  const [, group, field] = rule.signal.split('.');
  const target: unknown = Object.entries(primary).find(([key]) => key === group)?.[1];
  if (typeof target !== 'object' || target === null || field === undefined || !(field in target)) {
    throw new Error(`no signal at ${rule.signal}`);
  }
  Reflect.set(target, field, value);
  expect(rule.read(primary, progressEvidence({ primary, baseline: null }))).toBe(value);
}

// The progress rules read a baseline and gate on completions; test/health/progress.test.ts covers their edges.
const PROGRESS_RULES = new Set(['critical.progress_stall', 'critical.dispatch_stall']);
const ALL_RULES = [...CRITICAL_RULES, ...RECOVERY_RULES, ...STRESSED_RULES, ...HEALTHY_RULES].filter(
  (rule) => !PROGRESS_RULES.has(rule.id),
);
const step = (threshold: number): number => Math.max(threshold * 1e-6, 1e-9);

const CASES = SCALE_BANDS.flatMap((band) =>
  ALL_RULES.flatMap((rule) => {
    const threshold = rule.threshold(getThresholdProfile({ band }));
    const holdsAbove: RuleStatus = rule.comparison === 'above' ? 'holds' : 'clear';
    const holdsBelow: RuleStatus = rule.comparison === 'below' ? 'holds' : 'clear';
    return [
      { band, rule, where: 'just below', value: threshold - step(threshold), expected: holdsBelow },
      { band, rule, where: 'at', value: threshold, expected: 'clear' as RuleStatus },
      { band, rule, where: 'just above', value: threshold + step(threshold), expected: holdsAbove },
    ].map((row) => ({ ...row, name: `${band} ${rule.id} (${rule.signal}) ${row.where} ${threshold}` }));
  }),
);

describe('every threshold of every band: just below, at, just above', () => {
  test.each(CASES)('$name', ({ band, rule, value, expected }) => {
    const primary = healthyPrimary(band);
    setSignal(primary, rule, value);
    const evaluations = evaluateRules({
      primary,
      profile: getThresholdProfile({ band }),
      progress: progressEvidence({ primary, baseline: null }),
      systemBusy: false,
      possiblyIdle: false,
    });
    const all = [...evaluations.critical, ...evaluations.recovery, ...evaluations.stressed, ...evaluations.healthy];
    const found = all.find((evaluation) => evaluation.rule === rule);
    expect(found?.status).toBe(expected);
  });
});

// Through the whole engine: the band is carried, so a critical or stressed rule's finding appears exactly when its
// comparison holds. Throughput rules are left to the table above: a throughput low enough to reach the mid-scale or
// high-throughput floors re-bands the cluster first (hysteresis demotes below 45 st/s), so they can only be met there.
const ENGINE_CASES = CASES.filter(
  ({ rule }) => (rule.kind === 'critical' || rule.kind === 'stressed') && !rule.signal.endsWith('throughput_per_sec'),
);

describe('findings through evaluate() at every critical and stressed threshold', () => {
  test.each(ENGINE_CASES)('$name', ({ band, rule, value, expected }) => {
    const primary = healthyPrimary(band);
    setSignal(primary, rule, value);
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: carried({ state: 'stressed', band }) });
    expect(decision.scale_band).toBe(band);
    const fired = decision.firing.some((finding) => finding.rule_id === rule.id && finding.signal === rule.signal);
    expect(fired).toBe(expected === 'holds');
  });
});

describe('demand gates', () => {
  test.each([
    { throughput: 4.99, open: false },
    { throughput: 5, open: true },
  ])('frontend latency and poller timeouts apply at tp >= 5 (tp $throughput)', ({ throughput, open }) => {
    const primary = healthyPrimary('starter');
    primary.state_transitions.throughput_per_sec = throughput;
    primary.frontend.latency_p99_ms = 9000;
    primary.poller.poll_timeout_rate = 0.9;
    const { decision } = evaluate({
      snapshot: snapshotOf(primary),
      state: carried({ state: 'happy', band: 'starter' }),
    });
    expect(decision.firing.map((finding) => finding.rule_id)).toEqual(
      open ? ['stressed.frontend_latency', 'stressed.poller_timeouts'] : [],
    );
  });

  test.each(
    SCALE_BANDS.flatMap((band) => {
      const floor = getThresholdProfile({ band }).critical.completion_rate_demand_floor_per_sec;
      return [
        { band, terminal: floor - step(floor), fires: false },
        { band, terminal: floor, fires: true },
      ];
    }),
  )('completion collapse needs terminal >= the $band floor (terminal $terminal)', ({ band, terminal, fires }) => {
    const primary = healthyPrimary(band);
    primary.workflow_completion.success_per_sec = terminal;
    primary.workflow_completion.completion_rate = 0.1;
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: carried({ state: 'stressed', band }) });
    expect(decision.firing.some((finding) => finding.rule_id === 'critical.completion_collapse')).toBe(fires);
  });

  test.each([
    { terminal: 0.99, happy: true },
    { terminal: 1, happy: false },
  ])('healthy completion gate applies at terminal >= 1/s (terminal $terminal)', ({ terminal, happy }) => {
    const primary = healthyPrimary('high-throughput');
    primary.workflow_completion.success_per_sec = terminal;
    primary.workflow_completion.completion_rate = 0.5;
    const state = carried({ state: 'happy', band: 'high-throughput' });
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state });
    expect(decision.health_state).toBe(happy ? 'happy' : 'stressed');
  });
});
