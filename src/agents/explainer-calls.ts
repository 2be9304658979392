import type {
  DispatchDecision,
  ExplainerCallRecord,
  FallbackReason,
  ModelAssessment,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  PriceTable,
} from '../models/index.ts';
import { AppError, costOf } from '../models/index.ts';
import type { EvidenceBundle } from './evidence.ts';
import { dispatchRequest, researchRequest } from './prompts.ts';
import type { Violation } from './verify.ts';
import { verifyAnswer } from './verify.ts';

/**
 * The two model steps of the explainer, each returning a result instead of throwing for what a model can do wrong
 * (an error, a timeout, a bad shape, an answer that fails verification), so that the caller always has something to
 * store. Only a cancellation by the caller is rethrown. Every call, failed ones included, is reported to `onCall`.
 */

export interface ExplainerModels {
  provider: ModelProvider;
  dispatcherModel: string;
  researcherModel: string;
  prices: PriceTable;
}

export interface StepContext {
  models: ExplainerModels;
  cluster: string;
  clock: () => number;
  signal?: AbortSignal | undefined;
  onCall?: ((record: ExplainerCallRecord) => void) | undefined;
}

/** Totals over the calls of one explanation. */
export interface CallTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  costUsd: number;
}

export const NO_CALLS: CallTotals = { calls: 0, inputTokens: 0, outputTokens: 0, latencyMs: 0, costUsd: 0 };

export function addCall(totals: CallTotals, record: ExplainerCallRecord): CallTotals {
  return {
    calls: totals.calls + 1,
    inputTokens: totals.inputTokens + record.inputTokens,
    outputTokens: totals.outputTokens + record.outputTokens,
    latencyMs: totals.latencyMs + record.latencyMs,
    costUsd: totals.costUsd + record.costUsd,
  };
}

export interface StepFailure {
  ok: false;
  reason: FallbackReason;
  detail: string;
  totals: CallTotals;
}

/** The fallback reason for a model client's error (clients/bedrock.ts and openai-compatible.ts codes). */
export function fallbackReasonOf(error: unknown): FallbackReason {
  if (!(error instanceof AppError)) return 'model_unavailable';
  switch (error.code) {
    case 'UPSTREAM_TIMEOUT':
      return 'model_timeout';
    case 'UPSTREAM_THROTTLED':
      return 'throttled';
    case 'UPSTREAM_BAD_BODY':
      return 'malformed_output';
    case 'UPSTREAM_QUERY_ERROR':
    case 'INVALID_INPUT':
      return 'model_rejected_request';
    case 'AUTH_FAILED':
    case 'CREDENTIALS_UNAVAILABLE':
      return 'auth_failed';
    default:
      return 'model_unavailable';
  }
}

function isCancellation(error: unknown, signal: AbortSignal | undefined): boolean {
  return (signal?.aborted ?? false) || (error instanceof AppError && error.code === 'CANCELLED');
}

/** One model call, recorded whatever happens. Throws the client's error (after recording it as `failed`). */
async function call<T>(input: {
  context: StepContext;
  role: ExplainerCallRecord['role'];
  request: ModelRequest<T>;
  outcomeOf: (output: T) => ExplainerCallRecord['outcome'];
}): Promise<{ response: ModelResponse<T>; record: ExplainerCallRecord }> {
  const { context } = input;
  const startedMs = context.clock();
  const base = { cluster: context.cluster, provider: context.models.provider.name, model: input.request.modelId };
  try {
    const response = await context.models.provider.generate({
      ...input.request,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    const record: ExplainerCallRecord = {
      ...base,
      role: input.role,
      outcome: input.outcomeOf(response.output),
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      latencyMs: response.latencyMs,
      costUsd: costOf({
        table: context.models.prices,
        modelId: input.request.modelId,
        inputTokens: response.usage.input_tokens,
        outputTokens: response.usage.output_tokens,
      }),
    };
    context.onCall?.(record);
    return { response, record };
  } catch (error) {
    const failed: ExplainerCallRecord = {
      ...base,
      role: input.role,
      outcome: 'failed',
      inputTokens: 0,
      outputTokens: 0,
      latencyMs: Math.max(0, context.clock() - startedMs),
      costUsd: 0,
    };
    context.onCall?.(failed);
    throw new StepError(error, failed);
  }
}

class StepError extends Error {
  constructor(
    readonly inner: unknown,
    readonly record: ExplainerCallRecord,
  ) {
    super(inner instanceof Error ? inner.message : String(inner));
    this.name = 'StepError';
  }
}

function failure(error: unknown, totals: CallTotals, signal: AbortSignal | undefined): StepFailure {
  const inner = error instanceof StepError ? error.inner : error;
  if (isCancellation(inner, signal)) throw inner;
  const counted = error instanceof StepError ? addCall(totals, error.record) : totals;
  const detail = inner instanceof Error ? inner.message : String(inner);
  return { ok: false, reason: fallbackReasonOf(inner), detail: detail.slice(0, 500), totals: counted };
}

export type DispatchOutcome = { ok: true; decision: DispatchDecision; totals: CallTotals } | StepFailure;

/** Ask the dispatcher (fast model) how deep to explain. `bundle` must be redacted. */
export async function dispatchStep(context: StepContext, bundle: EvidenceBundle): Promise<DispatchOutcome> {
  try {
    const { response, record } = await call({
      context,
      role: 'dispatcher',
      request: dispatchRequest({ bundle, modelId: context.models.dispatcherModel }),
      outcomeOf: () => 'accepted',
    });
    return { ok: true, decision: response.output, totals: addCall(NO_CALLS, record) };
  } catch (error) {
    return failure(error, NO_CALLS, context.signal);
  }
}

export type ResearchOutcome =
  | { ok: true; answer: ModelAssessment; totals: CallTotals; rejected: Violation[][] }
  | (StepFailure & { rejected: Violation[][] });

/**
 * Ask the researcher (strong model), verify the answer against the evidence, and on violations ask ONCE more with
 * the violations listed. Still failing: `verification_failed`. `bundle` must be redacted; so is the answer.
 */
export async function researchStep(
  context: StepContext,
  input: { bundle: EvidenceBundle; depth: 'quick' | 'deep' },
): Promise<ResearchOutcome> {
  let totals = NO_CALLS;
  const rejected: Violation[][] = [];
  let retry: { rejected: ModelAssessment; violations: Violation[] } | undefined;
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    try {
      const { response, record } = await call({
        context,
        role: 'researcher',
        request: researchRequest({
          bundle: input.bundle,
          modelId: context.models.researcherModel,
          depth: input.depth,
          ...(retry ? { retry } : {}),
        }),
        outcomeOf: (answer) => (verifyAnswer({ answer, evidence: input.bundle }).ok ? 'accepted' : 'rejected'),
      });
      totals = addCall(totals, record);
      const verdict = verifyAnswer({ answer: response.output, evidence: input.bundle });
      if (verdict.ok) return { ok: true, answer: response.output, totals, rejected };
      rejected.push(verdict.violations);
      retry = { rejected: response.output, violations: verdict.violations };
    } catch (error) {
      return { ...failure(error, totals, context.signal), rejected };
    }
  }
  const last = rejected.at(-1) ?? [];
  return {
    ok: false,
    reason: 'verification_failed',
    detail: last
      .map((violation) => `${violation.kind}: ${violation.detail}`)
      .join('; ')
      .slice(0, 500),
    totals,
    rejected,
  };
}
