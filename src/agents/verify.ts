import type { HealthState, ModelAssessment } from '../models/index.ts';
import type { EvidenceBundle } from './evidence.ts';
import { evidenceIds } from './evidence.ts';

/**
 * Verification of a model's answer against the evidence it was given. Pure. An answer passes only if it restates
 * the decided state, its severities agree with it, every number in its text or in an action's numeric parameters is
 * an evidence number (within rounding), every service it blames has a firing or elevated signal, every id it cites
 * exists and every action targets a real service. Run on the redacted answer against the redacted evidence, before
 * restoring identifiers.
 */

export type ViolationKind =
  | 'state_mismatch'
  | 'severity_contradiction'
  | 'unknown_number'
  | 'unsupported_blame'
  | 'unknown_citation'
  | 'unknown_action_target';

export interface Violation {
  kind: ViolationKind;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  violations: Violation[];
}

/** Services an action may target: Temporal's, the persistence store, the workers, and the copilot itself. */
export const ACTION_TARGETS: ReadonlySet<string> = new Set([
  'frontend',
  'history',
  'matching',
  'persistence',
  'workers',
  'copilot',
]);

const STATE_WORDS: Readonly<Record<string, HealthState>> = {
  happy: 'happy',
  healthy: 'happy',
  stressed: 'stressed',
  critical: 'critical',
  unknown: 'unknown',
};

/** "is critical", "remains healthy", "state: stressed": a claim about the cluster's state in prose. */
const STATE_CLAIM =
  /\b(?:is|remains|stays|looks|appears|seems|became|becomes|state\s*(?:is|:|=)|status\s*(?:is|:|=))\s+(?:now\s+|currently\s+)?(happy|healthy|stressed|critical|unknown)\b/gi;

const ID_TOKEN =
  /\b(?:rule|signal|amp|worker_amp|worker|trend|log|service|advisory|kb|rules):[A-Za-z0-9_.:-]*[A-Za-z0-9_]/g;
const PLACEHOLDER_TOKEN = /<[a-z-]+-\d+>/g;
/** A number not glued to a word before it (`p99`, `SigV4` are names, `120s` and `3.5` are numbers). */
const NUMBER = /(?<![A-Za-z0-9_.])\d+(?:\.\d+)?/g;

/** Every finite number in the bundle's numeric fields, plus the counts a summary naturally states. */
export function evidenceNumbers(bundle: EvidenceBundle): number[] {
  const numbers: number[] = [];
  const walk = (node: unknown, key: string) => {
    if (key === 'token_budget') return;
    if (typeof node === 'number' && Number.isFinite(node)) numbers.push(node);
    else if (Array.isArray(node)) for (const child of node) walk(child, key);
    else if (node !== null && typeof node === 'object') for (const [k, child] of Object.entries(node)) walk(child, k);
  };
  walk(bundle, '');
  const counting = bundle.firing.filter((finding) => !finding.suppressed).length;
  numbers.push(bundle.firing.length, counting, bundle.state_history.states.length, bundle.log_patterns.length);
  return numbers;
}

function decimalsOf(text: string): number {
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

/**
 * A stated number matches an evidence value when it is that value rounded to the stated precision (or within 1 %),
 * as a ratio written as a percentage, or as milliseconds written as seconds and back.
 */
export function matchesEvidence(stated: string, evidence: readonly number[]): boolean {
  const value = Number(stated);
  const halfUnit = 0.5 * 10 ** -decimalsOf(stated) + 1e-9;
  const close = (candidate: number) =>
    Math.abs(Math.abs(candidate) - value) <= Math.max(halfUnit, Math.abs(candidate) * 0.01);
  return evidence.some(
    (number) => close(number) || close(number * 100) || close(number / 1000) || close(number * 1000),
  );
}

/**
 * Numeric action parameters, written as the verifier reads prose numbers. No parameter key is exempt: a number a
 * model puts in `{replicas: 50}` is as much a claim as one in a sentence, and the hallucinated-number check exists for
 * exactly that case. Signs are dropped because prose numbers are matched by magnitude too.
 */
function numericParameters(answer: ModelAssessment): string[] {
  return answer.suggested_actions.flatMap((action) =>
    Object.values(action.parameters)
      .filter((value): value is number => typeof value === 'number')
      .map((value) => String(Math.abs(value))),
  );
}

function answerTexts(answer: ModelAssessment): string[] {
  return [
    answer.summary,
    answer.explanation,
    ...answer.contributing_factors.map((factor) => factor.description),
    ...answer.issues.flatMap((issue) => [issue.title, issue.description]),
    ...answer.suggested_actions.flatMap((action) => [
      action.description,
      ...Object.values(action.parameters).filter((value): value is string => typeof value === 'string'),
    ]),
  ];
}

function checkState(answer: ModelAssessment, decided: HealthState, out: Violation[]): void {
  if (answer.health_state !== decided) {
    out.push({ kind: 'state_mismatch', detail: `answer states ${answer.health_state}, the rules decided ${decided}` });
  }
  for (const text of [answer.summary, answer.explanation]) {
    for (const match of text.matchAll(STATE_CLAIM)) {
      const claimed = STATE_WORDS[(match[1] ?? '').toLowerCase()];
      if (claimed !== undefined && claimed !== decided) {
        out.push({ kind: 'state_mismatch', detail: `text says "${match[0]}", the rules decided ${decided}` });
      }
    }
  }
}

function checkSeverities(answer: ModelAssessment, bundle: EvidenceBundle, out: Violation[]): void {
  const decided = bundle.decision.health_state;
  const criticalIssues = answer.issues.filter((issue) => issue.severity === 'critical');
  const criticalRuleCounts = bundle.firing.some((finding) => !finding.suppressed && finding.level === 'critical');
  switch (decided) {
    case 'happy':
    case 'unknown':
      for (const issue of criticalIssues) {
        out.push({ kind: 'severity_contradiction', detail: `critical issue "${issue.title}" on a ${decided} cluster` });
      }
      break;
    case 'stressed':
      // Stressed with a critical rule held by the debounce may carry a critical issue; otherwise it overstates.
      if (!criticalRuleCounts) {
        for (const issue of criticalIssues) {
          out.push({ kind: 'severity_contradiction', detail: `critical issue "${issue.title}" with no critical rule` });
        }
      }
      break;
    case 'critical':
      if (answer.issues.length > 0 && criticalIssues.length === 0) {
        out.push({ kind: 'severity_contradiction', detail: 'the cluster is critical but no issue is critical' });
      }
      break;
    default: {
      const unreachable: never = decided;
      throw new Error(`unhandled state ${String(unreachable)}`);
    }
  }
}

function checkNumbers(answer: ModelAssessment, bundle: EvidenceBundle, out: Violation[]): void {
  const evidence = evidenceNumbers(bundle);
  const seen = new Set<string>();
  for (const text of answerTexts(answer)) {
    const prose = text.replace(ID_TOKEN, ' ').replace(PLACEHOLDER_TOKEN, ' ');
    for (const match of prose.matchAll(NUMBER)) {
      const stated = match[0];
      if (seen.has(stated) || matchesEvidence(stated, evidence)) continue;
      seen.add(stated);
      out.push({ kind: 'unknown_number', detail: `${stated} is not a number in the evidence` });
    }
  }
  for (const stated of numericParameters(answer)) {
    if (seen.has(stated) || matchesEvidence(stated, evidence)) continue;
    seen.add(stated);
    out.push({ kind: 'unknown_number', detail: `action parameter ${stated} is not a number in the evidence` });
  }
}

/** Services the evidence implicates: a counting rule, a signal above normal, a service status, or worker advice. */
export function implicatedServices(bundle: EvidenceBundle): Set<string> {
  const services = new Set<string>();
  for (const finding of bundle.firing) if (!finding.suppressed) services.add(finding.service);
  for (const item of bundle.primary) {
    if (item.level === 'elevated' || item.level === 'high' || item.level === 'critical') services.add(item.service);
  }
  for (const service of bundle.services) {
    if (service.status === 'stressed' || service.status === 'critical') services.add(service.name);
  }
  const workerTrouble = bundle.worker_advisories.some((advisory) => advisory.severity !== 'info');
  const classification = bundle.bottleneck.classification;
  if (workerTrouble || classification === 'worker_limited' || classification === 'mixed') services.add('workers');
  if (bundle.decision.data_quality !== 'complete' || bundle.decision.health_state === 'unknown') {
    services.add('copilot');
  }
  return services;
}

function checkBlame(answer: ModelAssessment, bundle: EvidenceBundle, out: Violation[]): void {
  const implicated = implicatedServices(bundle);
  const blamed = new Set([
    ...answer.contributing_factors.map((factor) => factor.service),
    ...answer.issues.map((issue) => issue.service),
  ]);
  for (const service of [...blamed].sort()) {
    if (!implicated.has(service)) {
      out.push({ kind: 'unsupported_blame', detail: `${service} is blamed but has no firing or elevated signal` });
    }
  }
}

function checkCitations(answer: ModelAssessment, bundle: EvidenceBundle, out: Violation[]): void {
  const ids = evidenceIds(bundle);
  const cited = [
    ...answer.contributing_factors.flatMap((factor) => factor.evidence_ids),
    ...answer.issues.flatMap((issue) => issue.evidence_ids),
    ...answer.knowledge_used,
    ...answerTexts(answer).flatMap((text) => [...text.matchAll(ID_TOKEN)].map((match) => match[0])),
  ];
  for (const id of [...new Set(cited)].sort()) {
    if (!ids.has(id)) out.push({ kind: 'unknown_citation', detail: `${id} is not an evidence id` });
  }
  for (const id of answer.knowledge_used) {
    if (!id.startsWith('kb:')) out.push({ kind: 'unknown_citation', detail: `${id} is not a knowledge passage` });
  }
}

function checkActions(answer: ModelAssessment, out: Violation[]): void {
  for (const action of answer.suggested_actions) {
    if (!ACTION_TARGETS.has(action.target_service)) {
      out.push({ kind: 'unknown_action_target', detail: `${action.target_service} is not a service` });
    }
  }
}

/** Verify an answer. Violations are listed in a fixed order (the retry prompt quotes them). */
export function verifyAnswer(input: { answer: ModelAssessment; evidence: EvidenceBundle }): VerifyResult {
  const { answer, evidence } = input;
  const violations: Violation[] = [];
  checkState(answer, evidence.decision.health_state, violations);
  checkSeverities(answer, evidence, violations);
  checkNumbers(answer, evidence, violations);
  checkBlame(answer, evidence, violations);
  checkCitations(answer, evidence, violations);
  checkActions(answer, violations);
  return { ok: violations.length === 0, violations };
}
