import { expect, test } from 'bun:test';
import { signalReadings, unitOfSignal } from '../../src/api/signal-rows.ts';
import { SignalReading } from '../../src/models/index.ts';
import { SIGNAL_CATALOG } from '../../src/signals/index.ts';
import { decision, snapshot, T0 } from '../db/fixtures.ts';
import { shape } from './helpers.ts';

test('the unit read from a signal name equals the catalog unit, for every signal', () => {
  const mismatches = SIGNAL_CATALOG.filter((s) => unitOfSignal(s.id.split('.').at(-1) ?? s.id) !== s.unit).map((s) => [
    s.id,
    s.unit,
    unitOfSignal(s.id.split('.').at(-1) ?? s.id),
  ]);
  expect(mismatches).toEqual([]);
});

test('classification follows the stored rule results: firing, suppressed, nearest escalation, none, no data', () => {
  const d = decision({ cluster: 'c', atMs: T0, state: 'stressed' });
  const withRules = {
    ...d,
    firing: [
      {
        rule_id: 'stressed.persistence',
        signal: 'primary.persistence.latency_p99_ms',
        value: 15,
        threshold: 10,
        comparison: 'above' as const,
        level: 'stressed' as const,
        suppressed: false,
      },
      {
        rule_id: 'not_happy.tp',
        signal: 'primary.persistence.latency_p99_ms',
        value: 15,
        threshold: 12,
        comparison: 'above' as const,
        level: 'not_happy' as const,
        suppressed: false,
      },
      {
        rule_id: 'critical.tp',
        signal: 'primary.state_transitions.throughput_per_sec',
        value: 120,
        threshold: 200,
        comparison: 'below' as const,
        level: 'critical' as const,
        suppressed: true,
      },
    ],
    nearest_escalation: {
      rule_id: 'critical.backlog',
      signal: 'primary.history.backlog_age_sec',
      value: 2,
      threshold: 120,
      comparison: 'above' as const,
      level: 'critical' as const,
      headroom_ratio: 0.98,
    },
  };
  const rows = signalReadings(snapshot({ cluster: 'c', atMs: T0 }), withRules);
  for (const row of rows) shape(SignalReading, row);
  const pick = (signal: string) => {
    const row = rows.find((r) => r.signal === signal);
    return row && [row.classification, row.threshold, row.rule_id, row.suppressed];
  };
  expect(pick('primary.persistence.latency_p99_ms')).toEqual(['high', 10, 'stressed.persistence', false]);
  expect(pick('primary.state_transitions.throughput_per_sec')).toEqual(['critical', 200, 'critical.tp', true]);
  expect(pick('primary.history.backlog_age_sec')).toEqual(['normal', 120, 'critical.backlog', false]);
  expect(pick('primary.frontend.latency_p99_ms')).toEqual(['unclassified', null, null, false]);
  expect(pick('primary.frontend.long_poll_latency_p99_ms')).toEqual(['no_data', null, null, false]);
  expect(rows.map((r) => r.tier).filter((t, i, all) => all.indexOf(t) === i)).toEqual([
    'primary',
    'amplifier',
    'worker',
    'worker_amplifier',
  ]);
});
