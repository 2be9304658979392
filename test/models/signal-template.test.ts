import { describe, expect, test } from 'bun:test';
import { fillAbsentSignals, SignalsSnapshot, signalPaths, unknownSignalFields } from '../../src/models/index.ts';
import { SIGNAL_CATALOG } from '../../src/signals/index.ts';
import { snapshotOf, zeroPrimary } from '../health/fixtures.ts';

describe('the signal template that upgrades older snapshots', () => {
  test('names exactly the signals of the catalog (so it cannot drift from the schema)', () => {
    expect(signalPaths().sort()).toEqual(SIGNAL_CATALOG.map((signal) => signal.id).sort());
  });

  test('an empty snapshot becomes a valid all-null one, every signal listed once as not queried', () => {
    const filled = fillAbsentSignals({ at: '2026-12-01T00:00:00.000Z', cluster: 'c', metric_style: 'otel' });
    expect(SignalsSnapshot.allows(filled)).toBe(true);
    const missing = SignalsSnapshot.assert(filled).missing;
    expect(missing.length).toBe(SIGNAL_CATALOG.length);
    expect(new Set(missing.map((m) => m.signal)).size).toBe(missing.length);
  });

  test('a complete snapshot is unchanged; a group that is not an object is left for validation to name', () => {
    const full = snapshotOf(zeroPrimary());
    expect(fillAbsentSignals(full)).toEqual(full);
    expect(SignalsSnapshot.allows(fillAbsentSignals({ ...full, primary: null }))).toBe(false);
  });

  test('fields no snapshot has are named', () => {
    const full = snapshotOf(zeroPrimary());
    expect(unknownSignalFields({ ...full, worker: { ...full.worker, pollers: 3 } })).toEqual(['worker.pollers']);
    expect(unknownSignalFields(full)).toEqual([]);
  });
});
