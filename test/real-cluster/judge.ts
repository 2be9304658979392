import { expect } from 'bun:test';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import type { HealthState } from '../../src/models/index.ts';
import { observeCluster } from '../../src/signals/index.ts';
import type { Phase, PhaseName } from './cluster-run.ts';

/**
 * What the copilot must have said in each phase of a real run, checked the same way for `backtest` (15 s steps) and
 * for the real observer workflow's stored decisions. Windows leave the time Temporal and the 1-minute rates need to
 * show a change; each bound is named so a failure says which promise broke.
 */

export interface Verdict {
  atMs: number;
  state: HealthState;
  firing: readonly string[];
}

export interface PhaseReport {
  phase: PhaseName;
  states: string;
  /** Seconds from the phase start to the first verdict that is not Happy (outage, unpolled queue), if any. */
  firstNotHappySec: number | null;
  firstCriticalSec: number | null;
  /** Seconds from the phase start to the first Happy verdict after which it stayed Happy to the phase end. */
  settledHappySec: number | null;
  /** Every rule that counted in a verdict other than Happy, so a report says why, not only what. */
  rulesWhenNotHappy: string[];
}

function within(verdicts: readonly Verdict[], fromMs: number, toMs: number): Verdict[] {
  return verdicts.filter((v) => v.atMs >= fromMs && v.atMs <= toMs);
}

/** Runs of equal states, e.g. "happy×8 stressed×2 critical×5". */
function runs(verdicts: readonly Verdict[]): string {
  const parts: string[] = [];
  let last: HealthState | null = null;
  let count = 0;
  for (const v of verdicts) {
    if (v.state === last) count += 1;
    else {
      if (last !== null) parts.push(`${last}×${count}`);
      last = v.state;
      count = 1;
    }
  }
  if (last !== null) parts.push(`${last}×${count}`);
  return parts.join(' ');
}

export function reportPhases(verdicts: readonly Verdict[], phases: readonly Phase[]): PhaseReport[] {
  return phases.map((phase) => {
    const inPhase = within(verdicts, phase.startMs, phase.endMs);
    const sec = (v: Verdict | undefined) => (v === undefined ? null : Math.round((v.atMs - phase.startMs) / 1000));
    const lastNotHappy = inPhase.findLastIndex((v) => v.state !== 'happy');
    return {
      phase: phase.name,
      states: runs(inPhase),
      firstNotHappySec: sec(inPhase.find((v) => v.state !== 'happy')),
      firstCriticalSec: sec(inPhase.find((v) => v.state === 'critical')),
      settledHappySec: lastNotHappy === inPhase.length - 1 ? null : sec(inPhase[lastNotHappy + 1]),
      rulesWhenNotHappy: [...new Set(inPhase.filter((v) => v.state !== 'happy').flatMap((v) => v.firing))].sort(),
    };
  });
}

function phaseOf(phases: readonly Phase[], name: PhaseName): Phase {
  const phase = phases.find((candidate) => candidate.name === name);
  if (!phase) throw new Error(`no phase ${name}`);
  return phase;
}

const SEC = 1000;

/** The promises of the real-cluster issue, phase by phase. */
export function expectJudgement(verdicts: readonly Verdict[], phases: readonly Phase[], source: string): void {
  const states = (name: PhaseName, fromSec: number, toSecBeforeEnd = 0) => {
    const phase = phaseOf(phases, name);
    return within(verdicts, phase.startMs + fromSec * SEC, phase.endMs - toSecBeforeEnd * SEC).map((v) => v.state);
  };
  const report = JSON.stringify(reportPhases(verdicts, phases), null, 1);
  const say = (what: string) => `${source}: ${what}\n${report}`;

  // Healthy: Happy once the 1-minute rates cover real load.
  const healthy = states('healthy', 90);
  expect(healthy.length, say('healthy has verdicts')).toBeGreaterThan(0);
  expect(
    healthy.every((s) => s === 'happy'),
    say('healthy phase is Happy'),
  ).toBe(true);

  // Worker outage: not Happy after 100 s, then Critical while nothing progresses. The bound is matching's once-a-
  // minute backlog gauge and the 75 s poll-timeout window of the stalled-queue rule, a scrape and a cycle.
  const outage = phaseOf(phases, 'worker_outage');
  const lateOutage = states('worker_outage', 100);
  expect(lateOutage.length, say('the outage has verdicts after 100 s')).toBeGreaterThan(0);
  expect(lateOutage.includes('happy'), say('outage is not Happy after 100 s')).toBe(false);
  const outageVerdicts = within(verdicts, outage.startMs, outage.endMs);
  // The stalled queue is what names the dead workers' queue; the burst of their cancelled polls must not hide it.
  expect(
    within(verdicts, outage.startMs, outage.startMs + 100 * SEC).some((v) =>
      v.firing.includes('stressed.stalled_task_queue'),
    ),
    say('the dead workers’ queue is named stalled within 100 s'),
  ).toBe(true);
  const firstCritical = outageVerdicts.findIndex((v) => v.state === 'critical');
  expect(firstCritical, say('outage reaches Critical')).toBeGreaterThanOrEqual(0);
  expect(
    outageVerdicts.slice(firstCritical).every((v) => v.state === 'critical'),
    say('outage stays Critical once Critical'),
  ).toBe(true);
  const critical = outageVerdicts[firstCritical];
  expect(
    critical?.firing.some((id) => id === 'critical.dispatch_stall' || id === 'critical.progress_stall'),
    say('the outage is seen as a stall of progress'),
  ).toBe(true);

  // Recovery: Happy again once the backlog has drained, and it stays Happy.
  const recovery = states('recovery', 60);
  expect(recovery.length, say('recovery has verdicts')).toBeGreaterThan(0);
  expect(
    recovery.every((s) => s === 'happy'),
    say('recovery is Happy within a minute of the workers coming back'),
  ).toBe(true);

  // Server restart: a short restart under load never pages, and the cluster is Happy again by the phase end.
  expect(states('server_restart', 0).includes('critical'), say('a server restart never pages')).toBe(false);
  expect(
    states('server_restart', 90).every((s) => s === 'happy'),
    say('Happy again after the restart'),
  ).toBe(true);

  // A queue nobody polls: never Happy once it is seen, never Critical while the rest progresses.
  const lateUnpolled = states('unpolled_queue', 100);
  expect(lateUnpolled.length, say('the unpolled queue has verdicts')).toBeGreaterThan(0);
  expect(lateUnpolled.includes('happy'), say('an unpolled queue is not Happy')).toBe(false);
  expect(states('unpolled_queue', 0).includes('critical'), say('an unpolled queue alone never pages')).toBe(false);

  // Idle: callers stopped; once the last work drained it is Happy, and it never pages on the way.
  expect(states('idle', 0).includes('critical'), say('idle never pages')).toBe(false);
  const idle = states('idle', 90);
  expect(idle.length, say('idle has verdicts')).toBeGreaterThan(0);
  expect(
    idle.every((s) => s === 'happy'),
    say('idle is Happy'),
  ).toBe(true);
}

/**
 * Worker-side signals read with sdk-core's own naming (bare counters, milliseconds in `_bucket`): pollers while
 * healthy, a long-poll latency in milliseconds (read as seconds it would be 1000× too high), and the killed worker's
 * endpoint counted as down during the outage.
 */
export async function expectWorkerSignals(input: { prometheusUrl: string; phases: readonly Phase[] }): Promise<void> {
  const prometheus = createPrometheusClient({ baseUrl: input.prometheusUrl });
  const cluster = { name: 'workers', prometheus_url: input.prometheusUrl };
  const healthy = phaseOf(input.phases, 'healthy');
  const outage = phaseOf(input.phases, 'worker_outage');
  const busy = await observeCluster({ cluster, atMs: healthy.endMs - 5_000, prometheus });
  expect(busy.sdk_naming).toEqual({ counters: 'bare', duration_unit: 'ms', duration_suffix: '' });
  expect(busy.worker.workflow_pollers).toBeGreaterThan(0);
  expect(busy.worker.activity_pollers).toBeGreaterThan(0);
  expect(busy.worker.sdk_endpoints_down).toBe(0);
  const longPoll = busy.worker_amplifiers.poll.long_poll_latency_p95_ms;
  expect(longPoll).toBeGreaterThan(0);
  expect(longPoll).toBeLessThan(600_000);
  const down = await observeCluster({ cluster, atMs: outage.endMs - 5_000, prometheus });
  expect(down.worker.sdk_endpoints_down).toBe(1);
}
