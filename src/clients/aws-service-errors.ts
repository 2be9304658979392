import { type } from 'arktype';
import type { AwsCallId } from '../models/index.ts';
import { AppError, iamHint } from '../models/index.ts';
import type { CredentialProvider } from './aws/index.ts';

/**
 * What the knowledge-base clients (Bedrock Agent Runtime, Bedrock Agent, S3) share: their construction options and
 * how an AWS error response becomes a typed AppError. JSON services name the error in `x-amzn-ErrorType` (before
 * its first `:`) or the body's `__type` / `code`; S3 answers XML `<Error><Code>…</Code>`.
 * @see aws-protocols.md §3 "Errors and retryability", §4 "S3 PutObject"
 */
export interface AwsServiceClientOptions {
  region: string;
  credentials: CredentialProvider;
  /** Overrides the regional endpoint (VPC endpoints, local test servers). */
  baseUrl?: string;
  /** Per attempt, body included. @default 10000 */
  timeoutMs?: number;
  /** Attempts including the first; only throttling, 5xx and network failures are retried. @default 4 */
  maxAttempts?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  clock?: () => number;
}

export const AWS_CLIENT_DEFAULTS = { timeoutMs: 10_000, maxAttempts: 4 } as const;

export function retryOptions(options: AwsServiceClientOptions) {
  return {
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? AWS_CLIENT_DEFAULTS.timeoutMs,
    maxAttempts: options.maxAttempts ?? AWS_CLIENT_DEFAULTS.maxAttempts,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
}

const JsonErrorBody = type({ '__type?': 'string', 'code?': 'string', 'message?': 'string', 'Message?': 'string' });

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The error code and message of a JSON AWS error response; `Unknown` when neither header nor body names one. */
export function jsonServiceError(headers: Headers, text: string): { code: string; message: string } {
  const body = JsonErrorBody(jsonOrNull(text));
  const parsed = body instanceof type.errors ? {} : body;
  const header = headers.get('x-amzn-errortype');
  const fromHeader = header ? (header.split(':')[0] ?? '') : '';
  const fromBody = parsed.__type?.split('#').at(-1) ?? parsed.code ?? '';
  return { code: fromHeader || fromBody || 'Unknown', message: parsed.message ?? parsed.Message ?? '' };
}

/** `<Code>` and `<Message>` of an S3 XML error; `Unknown` / empty when absent (HEAD errors have no body). */
export function s3ServiceError(text: string): { code: string; message: string } {
  const element = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1] ?? '';
  return { code: element('Code') || 'Unknown', message: element('Message') };
}

/**
 * Map a final non-success response to an AppError: 429 → UPSTREAM_THROTTLED, 401/403 → AUTH_FAILED, other 4xx
 * (validation, not found, conflict) → UPSTREAM_QUERY_ERROR (a retry cannot help), anything else → UPSTREAM_STATUS.
 * An AUTH_FAILED message names the IAM actions of `calls` (models/aws-actions.ts).
 */
export function serviceError(input: {
  upstream: string;
  status: number;
  code: string;
  message: string;
  calls: readonly AwsCallId[];
}): AppError {
  const detail = input.message === '' ? '' : `: ${input.message.slice(0, 300)}`;
  const text = `${input.upstream}: HTTP ${input.status} ${input.code}${detail}`;
  if (input.status === 429 || input.code === 'SlowDown' || input.code === 'ThrottlingException') {
    return new AppError('UPSTREAM_THROTTLED', text);
  }
  if (input.status === 401 || input.status === 403) {
    return new AppError('AUTH_FAILED', `${text}${input.calls.map(iamHint).join('')}`);
  }
  if (input.status >= 400 && input.status < 500) return new AppError('UPSTREAM_QUERY_ERROR', text);
  return new AppError('UPSTREAM_STATUS', text);
}

/** Parse a JSON success body with an ArkType Type. @throws AppError UPSTREAM_BAD_BODY */
export function parseServiceBody<T>(input: {
  upstream: string;
  text: string;
  schema: (data: unknown) => T | type.errors;
}): T {
  const data = jsonOrNull(input.text);
  const parsed = input.schema(data);
  if (parsed instanceof type.errors) {
    throw new AppError('UPSTREAM_BAD_BODY', `${input.upstream}: unexpected response: ${parsed.summary}`, {
      problems: parsed.flatProblemsByPath,
    });
  }
  return parsed;
}
