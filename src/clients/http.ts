import { AppError } from '../models/index.ts';
import type { RequestSigner } from './signer.ts';

/** What one HTTP exchange produced: the final status and the whole body, read under the same deadline. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

export interface RetryingRequestInput {
  /** Builds a fresh request per attempt (bodies are single-use and SigV4 signatures carry a timestamp). */
  build: () => Request;
  fetch: typeof fetch;
  /** Deadline for one attempt, response body included. */
  timeoutMs: number;
  /** Total attempts including the first; 1 disables retries. */
  maxAttempts: number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform [0, 1); full jitter multiplies the backoff cap by it. */
  random: () => number;
  sign?: RequestSigner | undefined;
  signal?: AbortSignal | undefined;
  /** Backoff base; attempt n waits random() × min(maxBackoffMs, baseBackoffMs × 2^n). @default 200 */
  baseBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
  /** Names the upstream in error messages, e.g. "prometheus". */
  upstream: string;
  /**
   * Whether an attempt that ran out of time is tried again. Off for model calls: a generation that did not finish
   * within the deadline will not finish faster the next time, and each retry is billed again in full.
   * @default true
   */
  retryTimeouts?: boolean;
}

/** Statuses worth another attempt: throttling and transient server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504 || status === 500;
}

/** Sleep that ends early (rejecting with CANCELLED) when the caller aborts. */
export async function sleepUnlessAborted(input: {
  ms: number;
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  const { signal } = input;
  if (!signal) return input.sleep(input.ms);
  if (signal.aborted) throw cancelled(signal);
  // Not Promise.withResolvers: the worker runs on Node 20, which lacks it, and a TypeError here turned every
  // retried request of the worker's activities into an unexplained failure instead of a second attempt.
  let onAbort = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(cancelled(signal));
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([input.sleep(input.ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function cancelled(signal: AbortSignal): AppError {
  return new AppError('CANCELLED', 'request cancelled by the caller', { cause: signal.reason });
}

/** Seconds or HTTP-date from Retry-After, in ms; null when absent or unparseable. */
function retryAfterMs(headers: Headers, nowMs: number): number | null {
  const raw = headers.get('retry-after');
  if (raw === null) return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const dateMs = Date.parse(raw);
  return Number.isNaN(dateMs) ? null : Math.max(0, dateMs - nowMs);
}

/**
 * One logical request with a per-attempt timeout, caller cancellation, and bounded retries with full jitter for
 * network errors, timeouts (unless `retryTimeouts` is false), 429 and 5xx. Returns the last response (any status) once it is final or attempts run out.
 * @throws AppError CANCELLED (caller aborted), UPSTREAM_TIMEOUT, UPSTREAM_UNREACHABLE (after the last attempt).
 */
export async function requestWithRetry(input: RetryingRequestInput): Promise<HttpResult> {
  const baseBackoffMs = input.baseBackoffMs ?? 200;
  const maxBackoffMs = input.maxBackoffMs ?? 5000;
  const attempts = Math.max(1, Math.floor(input.maxAttempts));
  let lastError: AppError | null = null;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (input.signal?.aborted) throw cancelled(input.signal);
    const outcome = await attemptOnce(input);
    const isLast = attempt === attempts - 1;
    if (outcome instanceof AppError) {
      lastError = outcome;
      if (isLast || (outcome.code === 'UPSTREAM_TIMEOUT' && input.retryTimeouts === false)) throw outcome;
    } else if (!isRetryableStatus(outcome.status) || isLast) {
      return outcome;
    }
    const capMs = Math.min(maxBackoffMs, baseBackoffMs * 2 ** attempt);
    const hintMs = outcome instanceof AppError ? null : retryAfterMs(outcome.headers, Date.now());
    const waitMs = hintMs === null ? input.random() * capMs : Math.min(hintMs, maxBackoffMs);
    await sleepUnlessAborted({ ms: waitMs, sleep: input.sleep, signal: input.signal });
  }
  // Unreachable: the loop returns or throws on its last attempt.
  throw lastError ?? new AppError('UPSTREAM_UNREACHABLE', `${input.upstream}: no attempt was made`);
}

async function attemptOnce(input: RetryingRequestInput): Promise<HttpResult | AppError> {
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
  try {
    const built = input.build();
    const request = input.sign ? await input.sign(built) : built;
    const response = await input.fetch(request, { signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (input.signal?.aborted) throw cancelled(input.signal);
    if (timeout.aborted) {
      return new AppError('UPSTREAM_TIMEOUT', `${input.upstream}: no complete response within ${input.timeoutMs} ms`, {
        cause: error,
      });
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new AppError('UPSTREAM_UNREACHABLE', `${input.upstream}: request failed (${reason})`, { cause: error });
  }
}
