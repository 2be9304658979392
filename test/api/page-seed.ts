import type postgres from 'postgres';
import { writeCycle } from '../../src/db/index.ts';
import type { Decision } from '../../src/models/index.ts';
import { firingCycle, seedTwoClusters, T0 } from './helpers.ts';

/** The status page's clusters, one per thing the page must say. The API's clock stands at T0. */
export const PAGE_CLUSTERS = {
  /** Critical, backlog rule firing, an assessment with an issue and an action, 6 h of history. */
  critical: 'alpha',
  happy: 'beta',
  /** Stressed by a latency rule and a failing healthy gate, one rule close to escalating. */
  stressed: 'delta',
  /** Its last cycle (happy) is 10 minutes old: stale, shown as unknown. */
  stale: 'epsilon',
  /** A fresh cycle whose signals all came back empty: unknown, data quality blind. */
  blind: 'zeta',
  /** Configured, never observed. */
  unobserved: 'gamma',
} as const;

export const STRESS_RULE = 'stressed.frontend.latency_p99';
export const NEAR_RULE = 'critical.history.backlog_age';
export const HEALTHY_GATE = 'healthy.persistence.latency_p99';
/** Ten-minute buckets of alpha's history before the seeded latest cycles, oldest first. */
export const ALPHA_HISTORY: readonly Decision['health_state'][] = [
  ...Array<Decision['health_state']>(12).fill('happy'),
  ...Array<Decision['health_state']>(12).fill('stressed'),
  ...Array<Decision['health_state']>(12).fill('critical'),
];
const BUCKET_MS = 600_000;

function withDecision(cycle: ReturnType<typeof firingCycle>, patch: Partial<Decision>) {
  return { ...cycle, decision: { ...cycle.decision, ...patch } };
}

export async function seedPage(sql: postgres.Sql): Promise<void> {
  await seedTwoClusters(sql);
  for (const [i, state] of ALPHA_HISTORY.entries()) {
    const atMs = T0 - (ALPHA_HISTORY.length - i) * BUCKET_MS;
    await writeCycle(sql, firingCycle({ cluster: PAGE_CLUSTERS.critical, atMs, state }));
  }
  const stressed = firingCycle({ cluster: PAGE_CLUSTERS.stressed, atMs: T0 - 20_000, state: 'stressed' });
  await writeCycle(
    sql,
    withDecision(stressed, {
      firing: [
        {
          rule_id: STRESS_RULE,
          signal: 'primary.frontend.latency_p99_ms',
          value: 1234.5,
          threshold: 1000,
          comparison: 'above',
          level: 'stressed',
          suppressed: false,
        },
        // A failing healthy gate: a level that is not a state, which the page must badge as itself.
        {
          rule_id: HEALTHY_GATE,
          signal: 'primary.persistence.latency_p99_ms',
          value: 150,
          threshold: 100,
          comparison: 'above',
          level: 'not_happy',
          suppressed: false,
        },
      ],
      nearest_escalation: {
        rule_id: NEAR_RULE,
        signal: 'primary.history.backlog_age_sec',
        value: 90,
        threshold: 120,
        comparison: 'above',
        level: 'critical',
        headroom_ratio: 0.25,
      },
    }),
  );
  await writeCycle(sql, firingCycle({ cluster: PAGE_CLUSTERS.stale, atMs: T0 - 600_000, state: 'happy' }));
  const blind = firingCycle({ cluster: PAGE_CLUSTERS.blind, atMs: T0 - 15_000, state: 'unknown' });
  await writeCycle(sql, withDecision(blind, { data_quality: 'blind', services: [] }));
}
