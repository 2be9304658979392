import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  continueAsNew,
  log,
  ParentClosePolicy,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  AssessmentTrigger,
  ClusterConfig,
  Decision,
  ObserveClusterInput,
  ObserverCarry,
  SignalsSnapshot,
} from '../models/index.ts';
import { engine, storage, upstream } from './activity-proxies.ts';
import { assessHealthWorkflow } from './assess-health.ts';
import { currentQuery, newLogPatternSignal } from './definitions.ts';
import { failureCodeOf } from './failures.ts';
import { assessWorkflowId } from './ids.ts';
import { nextSlotDelayMs, slotOf } from './slots.ts';
import { pushWindow, windowEntryOf } from './window.ts';

/** @default 30 s between observation cycles. */
export const DEFAULT_OBSERVE_INTERVAL_MS = 30_000;
/** Cycles per run before continue-as-new (≈ 12 events each, so ≈ 2,400 events per run at most). */
export const DEFAULT_CYCLE_CAP = 200;

function freshCarry(cluster: ClusterConfig): ObserverCarry {
  return {
    // The engine's initial state, as data: the engine itself only runs in the decideCycle local activity.
    engineState: {
      health_state: 'unknown',
      last_known_state: null,
      consecutive_critical: 0,
      scale_band: cluster.initial_band ?? null,
      progress_baseline: null,
    },
    window: [],
    pendingLogPattern: false,
    lastAssessedState: null,
    lastAssessedFingerprint: null,
    cyclesTotal: 0,
  };
}

/**
 * Starting without carried state: continue from the last stored cycle, so debounce and band survive a restart. A
 * failed read (store down past the retry budget, an old row that no longer validates) starts fresh instead: losing
 * a debounce count is better than an observer that never runs.
 */
async function reconcile(cluster: ClusterConfig): Promise<ObserverCarry> {
  let stored: Awaited<ReturnType<typeof storage.latestCycle>>;
  try {
    stored = await storage.latestCycle({ cluster: cluster.name });
  } catch (error) {
    log.error('reconcile failed: starting from a fresh engine state', {
      cluster: cluster.name,
      code: failureCodeOf(error),
      error,
    });
    return freshCarry(cluster);
  }
  if (stored === null) return freshCarry(cluster);
  // The last assessed fingerprint is not known here, so the first cycle explains the current state once.
  return {
    ...freshCarry(cluster),
    engineState: stored.engineState,
    window: [windowEntryOf(stored.decision, stored.snapshot)],
    lastAssessedState: stored.decision.health_state,
  };
}

function triggerOf(decision: Decision, carry: ObserverCarry): AssessmentTrigger | null {
  if (decision.health_state !== carry.lastAssessedState) return 'state_change';
  if (decision.fingerprint !== carry.lastAssessedFingerprint) return 'fingerprint_change';
  // A new log signature can explain a transition even when the rules see none.
  return carry.pendingLogPattern ? 'new_log_pattern' : null;
}

/**
 * One per monitored cluster (`copilot-observe-<cluster>`): every interval fetch signals, evaluate (the pure engine,
 * in the workflow), store the cycle, and start an assessment child when the state or fingerprint changes or a new
 * log signature was signalled. Continues as new every `cycleCap` cycles or when Temporal suggests it, carrying the
 * engine state, window and pending flag.
 */
export async function observeClusterWorkflow(input: ObserveClusterInput): Promise<never> {
  const { cluster } = input;
  const intervalMs = input.intervalMs ?? DEFAULT_OBSERVE_INTERVAL_MS;
  const cycleCap = input.cycleCap ?? DEFAULT_CYCLE_CAP;
  let lastDecision: Decision | null = null;
  let pendingSignal = false;
  setHandler(newLogPatternSignal, () => {
    pendingSignal = true;
  });
  let carry = input.carried ?? (await reconcile(cluster));
  setHandler(currentQuery, () => ({
    decision: lastDecision,
    engineState: carry.engineState,
    cyclesTotal: carry.cyclesTotal,
    pendingLogPattern: carry.pendingLogPattern || pendingSignal,
  }));

  for (let cycle = 0; ; cycle += 1) {
    if (pendingSignal) carry = { ...carry, pendingLogPattern: true };
    pendingSignal = false;
    const slotMs = slotOf(Date.now(), intervalMs);
    const outcome = await observeOnce({ cluster, slotMs, carry, explainTimeoutMs: input.explainTimeoutMs });
    carry = outcome.carry;
    lastDecision = outcome.decision;
    await sleep(nextSlotDelayMs(Date.now(), intervalMs));
    if (cycle + 1 >= cycleCap || workflowInfo().continueAsNewSuggested) {
      if (pendingSignal) carry = { ...carry, pendingLogPattern: true };
      await continueAsNew<typeof observeClusterWorkflow>({ ...input, carried: carry });
    }
  }
}

async function observeOnce(input: {
  cluster: ClusterConfig;
  slotMs: number;
  carry: ObserverCarry;
  explainTimeoutMs: number | undefined;
}): Promise<{ carry: ObserverCarry; decision: Decision }> {
  const { cluster, slotMs, carry } = input;
  let snapshot: SignalsSnapshot;
  try {
    snapshot = await upstream.fetchSignals({ cluster, atMs: slotMs });
  } catch (error) {
    // Failed queries already arrive as nulls; this is the activity itself failing (timed out, worker lost). No data
    // is not zero, and no data is not "as before" either: decide and store a blind cycle, so the state says unknown.
    const code = failureCodeOf(error);
    log.warn('fetching signals failed: storing a blind cycle', { cluster: cluster.name, slotMs, code, error });
    snapshot = await engine.blindSnapshot({ cluster, atMs: slotMs, code });
  }
  const { decision, state } = await engine.decideCycle({ cluster, snapshot, state: carry.engineState });
  try {
    await storage.writeCycle({
      cluster: cluster.name,
      cycleKey: `${cluster.name}:${slotMs}`,
      snapshot,
      decision,
      engineState: state,
    });
  } catch (error) {
    log.error('observe cycle not stored after retries', { cluster: cluster.name, slotMs, error });
  }
  let next: ObserverCarry = {
    ...carry,
    engineState: state,
    window: pushWindow(carry.window, windowEntryOf(decision, snapshot)),
    cyclesTotal: carry.cyclesTotal + 1,
  };
  const trigger = triggerOf(decision, carry);
  if (trigger !== null) {
    await startAssessment({
      cluster,
      slotMs,
      trigger,
      decision,
      snapshot,
      carry: next,
      explainTimeoutMs: input.explainTimeoutMs,
    });
    next = {
      ...next,
      lastAssessedState: decision.health_state,
      lastAssessedFingerprint: decision.fingerprint,
      pendingLogPattern: false,
    };
  }
  return { carry: next, decision };
}

async function startAssessment(input: {
  cluster: ClusterConfig;
  slotMs: number;
  trigger: AssessmentTrigger;
  decision: Decision;
  snapshot: SignalsSnapshot;
  carry: ObserverCarry;
  explainTimeoutMs: number | undefined;
}): Promise<void> {
  const workflowId = assessWorkflowId({ cluster: input.cluster.name, atMs: input.slotMs, scheduled: false });
  try {
    await startChild(assessHealthWorkflow, {
      workflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          cluster: input.cluster.name,
          trigger: input.trigger,
          decision: input.decision,
          snapshot: input.snapshot,
          window: input.carry.window,
          hasLogs: input.cluster.loki_url !== undefined,
          ...(input.cluster.overrides ? { overrides: input.cluster.overrides } : {}),
          ...(input.explainTimeoutMs === undefined ? {} : { explainTimeoutMs: input.explainTimeoutMs }),
        },
      ],
    });
  } catch (error) {
    // Same slot already assessed (a previous run of this id got that far): one assessment per slot is the point.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}
