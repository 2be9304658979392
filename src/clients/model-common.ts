import { type } from 'arktype';
import type { ModelRequest } from '../models/index.ts';
import { AppError } from '../models/index.ts';

/**
 * What both model clients share: counting attempts and timing the last one (retries happen inside
 * `requestWithRetry`, which reports only the final response), and validating the model's JSON with the caller's
 * Type so a malformed answer is a typed `UPSTREAM_BAD_BODY`, never a half-read object.
 */
export function countingFetch(inner: typeof fetch, clock: () => number) {
  let calls = 0;
  let lastLatencyMs = 0;
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    calls += 1;
    const startedMs = clock();
    try {
      return await inner(input, init);
    } finally {
      lastLatencyMs = Math.max(0, clock() - startedMs);
    }
  };
  return {
    fetch: Object.assign(wrapped, { preconnect: inner.preconnect }),
    calls: () => calls,
    lastLatencyMs: () => lastLatencyMs,
  };
}

/** Validate the model's structured output; the problems go into the message so a retry prompt can quote them. */
export function modelOutput<T>(request: ModelRequest<T>, data: unknown, upstream: string): T {
  const parsed = request.parse(data);
  if (parsed instanceof type.errors) {
    throw new AppError(
      'UPSTREAM_BAD_BODY',
      `${upstream}: the ${request.tool.name} output does not match its schema: ${parsed.summary}`,
      {
        problems: parsed.flatProblemsByPath,
      },
    );
  }
  return parsed;
}
