import type { DispatchDecision, ModelAssessment, ModelMessage, ModelRequest } from '../models/index.ts';
import {
  ASSESSMENT_TOOL_SCHEMA,
  ModelAssessment as AssessmentType,
  DISPATCH_TOOL_SCHEMA,
  DispatchDecision as DispatchType,
} from '../models/index.ts';
import type { EvidenceBundle } from './evidence.ts';
import type { Violation } from './verify.ts';
import { ACTION_TARGETS } from './verify.ts';

/**
 * The dispatcher and researcher prompts. Pure and deterministic: the same (redacted) evidence gives byte-identical
 * request bodies, so a provider-side cache can hit and two runs read the same way. The rules they state are the
 * ones agents/verify.ts enforces; a prompt is a request, the verifier is the guarantee.
 */

export const DISPATCH_TOOL_NAME = 'choose_depth';
export const ASSESSMENT_TOOL_NAME = 'write_assessment';

const SHARED_RULES = [
  'You explain a decision that deterministic rules already made about a Temporal cluster. You never decide it.',
  'Rules you must follow:',
  '1. The health state is decided. Repeat it verbatim in health_state and never call the cluster anything else.',
  '2. Cite only ids that appear in the evidence (fields named "id", such as rule:..., signal:..., kb:1).',
  '3. Use only numbers that appear in the evidence. Do not compute, estimate or invent any other number.',
  '4. Never blame a service that has no firing rule, no elevated/high/critical signal and no degraded status.',
  '5. Identifiers such as <host-1> or <namespace-2> are placeholders: keep them exactly as written.',
].join('\n');

export const DISPATCHER_SYSTEM = [
  SHARED_RULES,
  '',
  'Your task: choose how much explaining this decision needs.',
  '- "none": the rules-only summary already says everything useful (for example a happy cluster with nothing firing).',
  '- "quick": one or two causes are plain from the firing rules.',
  '- "deep": several signals interact, data is partial, or the state changed and needs a careful explanation.',
  `Answer only through the ${DISPATCH_TOOL_NAME} tool, with a one-sentence reason.`,
].join('\n');

export const RESEARCHER_SYSTEM = [
  SHARED_RULES,
  '',
  'Your task: write the assessment an SRE reads first.',
  '- summary: one or two sentences; name the decided state.',
  '- explanation: why the rules decided this, in plain words, using the evidence.',
  '- contributing_factors: ranked causes (rank 1 = most important), each with the service and the evidence ids.',
  '- issues: each with severity "warning" or "critical" (critical only when a critical rule fires), the service and ids.',
  '- suggested_actions: action_type one of scale, restart, configure, alert, investigate; target_service one of ' +
    `${[...ACTION_TARGETS].sort().join(', ')}; parameters; risk_level low, medium or high; confidence 0 to 1.`,
  '- knowledge_used: the kb:N ids of the knowledge passages you relied on (empty if none).',
  `Answer only through the ${ASSESSMENT_TOOL_NAME} tool.`,
].join('\n');

/** The short view the dispatcher decides from: the decision and counts, no values it does not need. */
export function dispatchSummary(bundle: EvidenceBundle): string {
  const elevated = bundle.primary.filter(
    (item) => item.level === 'elevated' || item.level === 'high' || item.level === 'critical',
  );
  const lines = [
    `cluster: ${bundle.cluster}`,
    `decided state: ${bundle.decision.health_state} (previous: ${bundle.decision.previous_state})`,
    `scale band: ${bundle.decision.scale_band}; data quality: ${bundle.decision.data_quality}`,
    `firing rules: ${bundle.firing.map((f) => `${f.id} [${f.level}${f.suppressed ? ', suppressed' : ''}]`).join(', ') || 'none'}`,
    `signals above normal: ${elevated.map((item) => `${item.id} [${item.level}]`).join(', ') || 'none'}`,
    `state changes over the recent window: ${bundle.state_history.changes}`,
    `log patterns: ${bundle.log_patterns.map((p) => p.id).join(', ') || 'none'}`,
    `bottleneck: ${bundle.bottleneck.classification}`,
    `rules-only summary: ${bundle.rules_assessment.summary}`,
  ];
  return lines.join('\n');
}

function evidenceMessage(bundle: EvidenceBundle): ModelMessage {
  return { role: 'user', text: `Evidence (JSON):\n${JSON.stringify(bundle)}` };
}

/** The dispatcher call. `bundle` must already be redacted. */
export function dispatchRequest(input: { bundle: EvidenceBundle; modelId: string }): ModelRequest<DispatchDecision> {
  return {
    modelId: input.modelId,
    system: DISPATCHER_SYSTEM,
    messages: [{ role: 'user', text: dispatchSummary(input.bundle) }],
    tool: {
      name: DISPATCH_TOOL_NAME,
      description: 'Choose the explanation depth for this decision.',
      inputSchema: DISPATCH_TOOL_SCHEMA,
    },
    parse: (data) => DispatchType(data),
    maxTokens: 256,
    temperature: 0,
  };
}

/** The follow-up after a rejected answer: the answer as given, then every violation, then the request to fix them. */
export function retryMessages(input: { rejected: ModelAssessment; violations: readonly Violation[] }): ModelMessage[] {
  const listed = input.violations.map((violation, index) => `${index + 1}. ${violation.kind}: ${violation.detail}`);
  return [
    { role: 'assistant', text: JSON.stringify(input.rejected) },
    {
      role: 'user',
      text: [
        'Your assessment was rejected by verification against the evidence:',
        ...listed,
        `Write it again through the ${ASSESSMENT_TOOL_NAME} tool, fixing every violation and changing nothing else.`,
      ].join('\n'),
    },
  ];
}

/** The researcher call; `retry` appends the rejected answer and its violations. `bundle` must already be redacted. */
export function researchRequest(input: {
  bundle: EvidenceBundle;
  modelId: string;
  depth: 'quick' | 'deep';
  retry?: { rejected: ModelAssessment; violations: readonly Violation[] };
}): ModelRequest<ModelAssessment> {
  const depthNote =
    input.depth === 'quick'
      ? 'Depth: quick. Keep it short: at most two factors, two issues and two actions.'
      : 'Depth: deep. Be thorough, but every sentence must rest on the evidence.';
  return {
    modelId: input.modelId,
    system: RESEARCHER_SYSTEM,
    messages: [
      { ...evidenceMessage(input.bundle), text: `${depthNote}\n\n${evidenceMessage(input.bundle).text}` },
      ...(input.retry ? retryMessages(input.retry) : []),
    ],
    tool: {
      name: ASSESSMENT_TOOL_NAME,
      description: 'Write the assessment of the decided health state, grounded in the evidence.',
      inputSchema: ASSESSMENT_TOOL_SCHEMA,
    },
    parse: (data) => AssessmentType(data),
    maxTokens: input.depth === 'quick' ? 1200 : 2400,
    temperature: 0,
  };
}
