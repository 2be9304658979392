import type { ExplainerActivityDeps } from '../../../src/activities/explainer.ts';
import { createExplainerActivities } from '../../../src/activities/explainer.ts';
import type { CopilotActivities } from '../../../src/activities/index.ts';
import { decideCycleStep } from '../../../src/activities/index.ts';
import { explainWithRules } from '../../../src/agents/rules-explainer.ts';
import type { Assessment, PrimarySignals, StoredCycle } from '../../../src/models/index.ts';
import { blindSnapshot } from '../../../src/signals/index.ts';
import { nullPrimary, snapshotOf, zeroPrimary } from '../../health/fixtures.ts';

/** Busy and healthy: 20 state transitions/s, processing keeps up, workflows complete. */
export function busyHealthy(): PrimarySignals {
  const primary = zeroPrimary();
  primary.state_transitions.throughput_per_sec = 20;
  primary.history.task_processing_rate_per_sec = 20;
  primary.workflow_completion.success_per_sec = 10;
  return primary;
}

export function persistenceFailing(): PrimarySignals {
  const primary = busyHealthy();
  primary.persistence.error_rate_per_sec = 80;
  return primary;
}

export interface FakeStore {
  cycles: {
    cycleKey: string;
    atMs: number;
    state: string;
    previous: string;
    consecutiveCritical: number;
    /** `reason:detail` of each missing signal, deduplicated. */
    missing: string[];
  }[];
  assessments: Assessment[];
  latestCycleCalls: number;
  fetches: number;
  /** Cutoffs the retention purges were called with. */
  purgeCutoffsMs: number[];
}

/**
 * Activities faked through the real factory's type (a drifting fake fails to compile). Signals come from
 * `primaryAt(atMs)`; the "store" is memory, idempotent by key like the real one.
 */
export function fakeActivities(input: {
  /** Signals at an instant; throwing makes the fetchSignals activity fail. */
  primaryAt: (atMs: number) => PrimarySignals;
  stored?: StoredCycle | null;
  /** When set, latestCycle throws it (a store outage or an old row that no longer validates). */
  latestCycleFailure?: Error;
  /** The real explainer activities with these deps (default: no model, rules only). */
  explainer?: ExplainerActivityDeps;
}): {
  activities: CopilotActivities;
  store: FakeStore;
} {
  const store: FakeStore = { cycles: [], assessments: [], latestCycleCalls: 0, fetches: 0, purgeCutoffsMs: [] };
  const keys = new Set<string>();
  const activities: CopilotActivities = {
    ...createExplainerActivities(input.explainer ?? { clock: Date.now }),
    async fetchSignals({ cluster, atMs }) {
      store.fetches += 1;
      return snapshotOf(input.primaryAt(atMs), { cluster: cluster.name, at: new Date(atMs).toISOString() });
    },
    async decideCycle(step) {
      return decideCycleStep(step);
    },
    // The real pure steps: nothing here talks to the outside.
    async blindSnapshot(blind) {
      return blindSnapshot(blind);
    },
    async explainWithRules(rules) {
      return explainWithRules(rules);
    },
    async writeCycle(cycle) {
      if (keys.has(cycle.cycleKey)) return { inserted: false };
      keys.add(cycle.cycleKey);
      store.cycles.push({
        cycleKey: cycle.cycleKey,
        atMs: Date.parse(cycle.decision.at),
        state: cycle.decision.health_state,
        previous: cycle.decision.previous_state,
        consecutiveCritical: cycle.engineState.consecutive_critical,
        missing: [...new Set(cycle.snapshot.missing.map((m) => `${m.reason}:${m.detail ?? ''}`))],
      });
      return { inserted: true };
    },
    async latestCycle() {
      store.latestCycleCalls += 1;
      if (input.latestCycleFailure) throw input.latestCycleFailure;
      return input.stored ?? null;
    },
    async countLogPatterns() {
      return [];
    },
    async writeLogPatterns({ patterns }) {
      return { inserted: patterns.length };
    },
    async recentLogPatterns() {
      return [];
    },
    async explain(evidence) {
      return explainWithRules({
        decision: evidence.decision,
        logPatterns: evidence.logPatterns,
        window: evidence.window,
      });
    },
    async writeAssessment({ assessment }) {
      if (store.assessments.some((a) => a.assessment_key === assessment.assessment_key)) return { inserted: false };
      store.assessments.push(assessment);
      return { inserted: true };
    },
    async purgeExpired({ cutoffMs }) {
      store.purgeCutoffsMs.push(cutoffMs);
      return { cutoff: new Date(cutoffMs).toISOString(), dry_run: false, tables: [] };
    },
    async hasEquivalentAssessment({ fingerprint, sinceMs }) {
      return store.assessments.some((a) => a.decision.fingerprint === fingerprint && Date.parse(a.at) >= sinceMs);
    },
  };
  return { activities, store };
}

export { nullPrimary };
