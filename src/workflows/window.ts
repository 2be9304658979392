import type { Decision, SignalsSnapshot, WindowEntry } from '../models/index.ts';

/** Decisions kept in the observer's sliding window. */
export const WINDOW_SIZE = 10;

/** The key numbers of one decision, for the trend the explainer sees. */
export function windowEntryOf(decision: Decision, snapshot: SignalsSnapshot): WindowEntry {
  const primary = snapshot.primary;
  return {
    at: decision.at,
    health_state: decision.health_state,
    fingerprint: decision.fingerprint,
    throughput_per_sec: primary.state_transitions.throughput_per_sec,
    completion_rate: primary.workflow_completion.completion_rate,
    backlog_age_sec: primary.history.backlog_age_sec,
    state_transition_latency_p99_ms: primary.state_transitions.latency_p99_ms,
    persistence_latency_p99_ms: primary.persistence.latency_p99_ms,
    firing_rules: decision.firing.filter((finding) => !finding.suppressed).map((finding) => finding.rule_id),
  };
}

/** Append and keep the newest `WINDOW_SIZE` entries (FIFO). */
export function pushWindow(window: readonly WindowEntry[], entry: WindowEntry): WindowEntry[] {
  return [...window, entry].slice(-WINDOW_SIZE);
}
