import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { evaluate, fnv1a32, initialEngineState } from '../../src/health/index.ts';
import { Decision, EngineState } from '../../src/models/index.ts';
import { engineStateArb, snapshotArb } from './arbitraries.ts';
import { carried, nullPrimary, nullWorker, snapshotOf, zeroPrimary } from './fixtures.ts';

function busyHealthy() {
  const primary = zeroPrimary();
  primary.state_transitions.throughput_per_sec = 20;
  primary.history.task_processing_rate_per_sec = 20;
  primary.workflow_completion.success_per_sec = 10;
  return primary;
}

describe('no data', () => {
  test('all-null primary is blind and unknown, nothing is carried forward or reset', () => {
    const state = carried({ state: 'critical', count: 2, band: 'mid-scale' });
    const { decision, state: next } = evaluate({ snapshot: snapshotOf(nullPrimary()), state });
    expect([decision.health_state, decision.data_quality, decision.scale_band, decision.previous_state]).toEqual([
      'unknown',
      'blind',
      'mid-scale',
      'critical',
    ]);
    expect(next).toEqual({ ...state, health_state: 'unknown', progress_baseline: null });
    expect(decision.services.every((service) => service.status === 'unknown')).toBe(true);
    expect(decision.bottleneck.classification).toBe('unknown');
  });

  test('missing persistence errors: healthy gates pass but Happy is not confirmed → unknown, partial', () => {
    const primary = busyHealthy();
    primary.persistence.error_rate_per_sec = null;
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: null });
    expect([decision.health_state, decision.data_quality]).toEqual(['unknown', 'partial']);
    expect(decision.unevaluated_rules).toEqual(['critical.persistence_errors']);
    expect(decision.services.find((service) => service.name === 'persistence')?.status).toBe('happy');
  });

  test('missing stressed-gate input with everything else healthy is Happy but partial', () => {
    const primary = busyHealthy();
    primary.frontend.latency_p99_ms = null;
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: null });
    expect([decision.health_state, decision.data_quality, decision.unevaluated_rules]).toEqual([
      'happy',
      'partial',
      ['stressed.frontend_latency'],
    ]);
    expect(decision.services.find((service) => service.name === 'frontend')?.status).toBe('unknown');
  });

  test('idle cannot be claimed when an idle input is missing', () => {
    const primary = zeroPrimary();
    primary.matching.activity_backlog_age_sec = null;
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: null });
    expect(decision.idle).toBe(false);
    expect(decision.unevaluated_rules).toContain('context.idle');
  });

  test('a partial cycle after Critical with a firing gate stays Critical; unknown keeps last_known_state', () => {
    const primary = nullPrimary();
    primary.history.backlog_age_sec = 900;
    const critical = evaluate({ snapshot: snapshotOf(primary), state: carried({ state: 'critical', count: 5 }) });
    expect([critical.decision.health_state, critical.state.consecutive_critical]).toEqual(['critical', 6]);
    const unknown = evaluate({
      snapshot: snapshotOf(busyHealthy()),
      state: { ...critical.state, health_state: 'unknown' },
    });
    expect(unknown.decision.health_state).not.toBe('unknown');
  });
});

describe('recovery band out of Critical', () => {
  test.each([
    {
      name: 'throughput under 1.5× the floor',
      edit: (p: ReturnType<typeof zeroPrimary>) => {
        p.state_transitions.throughput_per_sec = 0.7;
      },
      state: 'stressed',
    },
    {
      name: 'backlog over 0.75× the ceiling',
      edit: (p: ReturnType<typeof zeroPrimary>) => {
        p.history.backlog_age_sec = 451;
      },
      state: 'stressed',
    },
    { name: 'clear of the band', edit: () => {}, state: 'happy' },
  ])('$name → $state', ({ edit, state }) => {
    const primary = busyHealthy();
    edit(primary);
    const { decision } = evaluate({
      snapshot: snapshotOf(primary),
      state: carried({ state: 'critical', band: 'starter' }),
    });
    expect(decision.health_state).toBe(state);
    if (state === 'stressed') expect(decision.firing.map((f) => f.rule_id)).toContain('recovery.near_critical');
  });
});

describe('findings, escalation, services', () => {
  test('default Stressed lists the failing healthy gates as not_happy (system busy suppresses the collapse)', () => {
    // The band's healthy throughput floor is only reachable in starter (mid-scale demotes below 45 st/s first), where
    // it equals the critical floor; so it shows up as not_happy exactly when system-busy suppresses the collapse.
    const primary = busyHealthy();
    primary.state_transitions.throughput_per_sec = 0.2;
    primary.system_operations.deletion_rate_per_sec = 10;
    const { decision } = evaluate({
      snapshot: snapshotOf(primary),
      state: carried({ state: 'happy', band: 'starter' }),
    });
    expect([decision.health_state, decision.system_busy, decision.consecutive_critical]).toEqual(['stressed', true, 0]);
    expect(decision.firing).toEqual([
      {
        rule_id: 'critical.throughput_collapse',
        signal: 'primary.state_transitions.throughput_per_sec',
        value: 0.2,
        threshold: 0.5,
        comparison: 'below',
        level: 'critical',
        suppressed: true,
      },
      {
        rule_id: 'happy.throughput',
        signal: 'primary.state_transitions.throughput_per_sec',
        value: 0.2,
        threshold: 0.5,
        comparison: 'below',
        level: 'not_happy',
        suppressed: false,
      },
    ]);
    expect(decision.services.find((s) => s.name === 'history')).toEqual({
      name: 'history',
      status: 'stressed',
      reasons: ['happy.throughput'],
    });
  });

  test('nearest escalation picks the smallest headroom', () => {
    const primary = busyHealthy();
    primary.persistence.latency_p99_ms = 450;
    primary.state_transitions.latency_p99_ms = 1000;
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: null });
    expect(decision.health_state).toBe('happy');
    expect(decision.nearest_escalation).toEqual({
      rule_id: 'stressed.persistence_latency',
      signal: 'primary.persistence.latency_p99_ms',
      value: 450,
      threshold: 500,
      comparison: 'above',
      level: 'stressed',
      headroom_ratio: 0.1,
    });
  });

  test('a critical gate during debounce makes the cluster Stressed and its service Stressed, not Critical', () => {
    const primary = busyHealthy();
    primary.persistence.error_rate_per_sec = 80;
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: initialEngineState() });
    expect([decision.health_state, decision.consecutive_critical]).toEqual(['stressed', 1]);
    expect(decision.services.find((s) => s.name === 'persistence')).toEqual({
      name: 'persistence',
      status: 'stressed',
      reasons: ['critical.persistence_errors'],
    });
  });
});

describe('bottleneck and worker advisories', () => {
  test('no SDK metrics: unknown, with an info advisory, never "slots exhausted"', () => {
    const { decision } = evaluate({ snapshot: snapshotOf(busyHealthy()), state: null });
    expect(decision.bottleneck.classification).toBe('unknown');
    expect(decision.worker_advisories.map((a) => a.rule)).toEqual(['NO_SDK_METRICS']);
    expect(decision.services.find((s) => s.name === 'workers')?.status).toBe('unknown');
  });

  test('exhausted workflow slots with a low sticky hit rate: worker-limited, never scale down, sticky caveat', () => {
    const primary = busyHealthy();
    primary.persistence.latency_p99_ms = 900;
    const worker = {
      ...nullWorker(),
      workflow_slots_available: 0,
      workflow_slots_used: 200,
      activity_slots_available: 5,
      activity_slots_used: 5,
      workflow_pollers: 300,
      activity_pollers: 2,
    };
    const snapshot = snapshotOf(primary, { worker });
    snapshot.worker_amplifiers.cache.sticky_cache_hit_rate = 0.3;
    const { decision } = evaluate({ snapshot, state: null });
    expect(decision.health_state).toBe('stressed');
    expect(decision.bottleneck).toEqual({
      classification: 'mixed',
      server_reasons: ['persistence_latency'],
      worker_reasons: ['workflow_slots_exhausted'],
    });
    expect(decision.worker_advisories.map((a) => [a.rule, a.severity])).toEqual([
      ['NEVER_SCALE_DOWN_AT_ZERO', 'critical'],
      ['STICKY_QUEUE_WARNING', 'warning'],
      ['POLLER_EXECUTOR_MISMATCH', 'warning'],
    ]);
  });

  test('not evaluated while the server is Critical', () => {
    const primary = busyHealthy();
    primary.persistence.error_rate_per_sec = 80;
    const { decision } = evaluate({ snapshot: snapshotOf(primary), state: carried({ state: 'critical' }) });
    expect(decision.health_state).toBe('critical');
    expect(decision.bottleneck.classification).toBe('unknown');
    expect(decision.bottleneck.not_evaluated_reason).toContain('critical');
    expect(decision.worker_advisories).toEqual([]);
  });
});

describe('fingerprint and round trips', () => {
  test('FNV-1a 32 matches the published test vectors', () => {
    expect([fnv1a32(''), fnv1a32('a'), fnv1a32('foobar')]).toEqual(['811c9dc5', 'e40c292c', 'bf9cf968']);
  });

  test('the fingerprint ignores values but not the firing set', () => {
    const a = busyHealthy();
    a.persistence.latency_p99_ms = 600;
    const b = busyHealthy();
    b.persistence.latency_p99_ms = 900;
    const fp = (p: ReturnType<typeof zeroPrimary>) =>
      evaluate({ snapshot: snapshotOf(p), state: null }).decision.fingerprint;
    expect(fp(a)).toBe(fp(b));
    expect(fp(a)).not.toBe(fp(busyHealthy()));
  });

  test('EngineState and Decision survive parse(JSON round trip) unchanged', () => {
    fc.assert(
      fc.property(snapshotArb({ nullFreq: 5 }), fc.option(engineStateArb, { nil: null }), (snapshot, state) => {
        const result = evaluate({ snapshot, state });
        expect(Decision(JSON.parse(JSON.stringify(result.decision)))).toEqual(result.decision);
        expect(EngineState(JSON.parse(JSON.stringify(result.state)))).toEqual(result.state);
        if (state) expect(EngineState(JSON.parse(JSON.stringify(state)))).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });
});
