/**
 * Stable error codes. Each is documented in docs/errors.md; callers switch on `code`, never on message text.
 * Add a code here (and to the docs) rather than throwing strings or ad-hoc objects.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'CANCELLED'
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_THROTTLED'
  | 'UPSTREAM_STATUS'
  | 'UPSTREAM_BAD_BODY'
  | 'UPSTREAM_QUERY_ERROR'
  | 'AUTH_FAILED'
  | 'CREDENTIALS_UNAVAILABLE'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CONFLICT'
  | 'STORE_LIMIT'
  | 'STORE_SCHEMA';

/** Every code once; a Record so that adding a code to the union without adding it here fails to compile. */
const ERROR_CODE_SET: Readonly<Record<ErrorCode, true>> = {
  INVALID_INPUT: true,
  CONFIG_INVALID: true,
  NOT_FOUND: true,
  CANCELLED: true,
  UPSTREAM_UNREACHABLE: true,
  UPSTREAM_TIMEOUT: true,
  UPSTREAM_THROTTLED: true,
  UPSTREAM_STATUS: true,
  UPSTREAM_BAD_BODY: true,
  UPSTREAM_QUERY_ERROR: true,
  AUTH_FAILED: true,
  CREDENTIALS_UNAVAILABLE: true,
  STORE_UNAVAILABLE: true,
  STORE_CONFLICT: true,
  STORE_LIMIT: true,
  STORE_SCHEMA: true,
};

/** Whether a string (a failure's recorded code, a metric label) is one of our codes. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODE_SET, value);
}

/** Codes that will not succeed on retry: activities map them to non-retryable failures. */
export const PERMANENT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_INPUT',
  'CONFIG_INVALID',
  'NOT_FOUND',
  'UPSTREAM_BAD_BODY',
  'UPSTREAM_QUERY_ERROR',
  'AUTH_FAILED',
  'STORE_LIMIT',
  'STORE_SCHEMA',
]);

export interface AppErrorOptions {
  /** HTTP status to answer with when this error reaches the API edge. */
  status?: number;
  cause?: unknown;
  /** Field path → messages, for validation errors. */
  problems?: Readonly<Record<string, readonly string[]>>;
}

/** The one error class. `cause` is kept off `toJSON` so that logging an error cannot leak payloads or secrets. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly problems: Readonly<Record<string, readonly string[]>> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.problems = options.problems;
    Object.defineProperty(this, 'cause', { enumerable: false });
  }

  get permanent(): boolean {
    return PERMANENT_ERROR_CODES.has(this.code);
  }

  toJSON(): { code: ErrorCode; message: string; problems?: Readonly<Record<string, readonly string[]>> } {
    return this.problems
      ? { code: this.code, message: this.message, problems: this.problems }
      : { code: this.code, message: this.message };
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
