import { AppError, AWS_CALLS } from '../models/index.ts';

/**
 * Mapping driver errors to our codes. postgres.js raises `PostgresError` (a server SQLSTATE in `code`) or Node/driver
 * errors whose `code` is a string such as `ECONNREFUSED` or `CONNECTION_CLOSED`.
 */

/** SQLSTATEs (and DSQL OCC codes) that mean "run the whole transaction again". */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure; DSQL OCC conflicts (OC000 data, OC001 stale catalog) arrive with this state
  'OC000',
  'OC001',
  '40P01', // deadlock_detected (Postgres only)
  // unique_violation: two writers raced to insert the same deterministic key; the retry reads it back.
  '23505',
]);

const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '53400', // DSQL: connection rate limit
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** The `code` of a driver error, if it has one. */
export function errorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  const code = error.code;
  return typeof code === 'string' ? code : null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when the error is an optimistic-concurrency conflict (or a key race) worth retrying the transaction for. */
export function isRetryableConflict(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== null && RETRYABLE_CODES.has(code)) return true;
  // DSQL puts the OCC code in the message: "... (OC000) (SQLSTATE 40001)".
  return /\(OC00[01]\)/.test(errorMessage(error));
}

/**
 * Turn any error from the driver into an AppError with a message an operator can act on.
 * `what` names the operation ("write cycle", "connect to store").
 */
export function toStoreError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  const code = errorCode(error);
  const detail = errorMessage(error);
  if (code === '28P01' || code === '28000') {
    return new AppError(
      'AUTH_FAILED',
      `${what}: authentication failed (${code}): ${detail}. Check the credentials; DSQL IAM tokens expire and the role needs ${AWS_CALLS.dsqlConnect.actions[0]} or ${AWS_CALLS.dsqlConnectAdmin.actions[0]}`,
      { cause: error, status: 503 },
    );
  }
  if (code === '42501') {
    return new AppError('AUTH_FAILED', `${what}: permission denied (42501): ${detail}. Grant the role access`, {
      cause: error,
      status: 503,
    });
  }
  if (code === '42P01' || code === '42703' || code === '3F000') {
    return new AppError(
      'STORE_SCHEMA',
      `${what}: the schema is missing or out of date (${code}: ${detail}); run 'bun run copilot db setup-schema'`,
      { cause: error, status: 503 },
    );
  }
  if (code === '54000') {
    return new AppError('STORE_LIMIT', `${what}: transaction limit exceeded (${detail})`, { cause: error });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AppError(
      'STORE_UNAVAILABLE',
      `${what}: cannot resolve the database host (${detail}); check the endpoint`,
      {
        cause: error,
        status: 503,
      },
    );
  }
  if (code !== null && UNAVAILABLE_CODES.has(code)) {
    return new AppError('STORE_UNAVAILABLE', `${what}: database unreachable (${code}): ${detail}`, {
      cause: error,
      status: 503,
    });
  }
  if (code?.startsWith('42')) {
    return new AppError('STORE_SCHEMA', `${what}: statement rejected (${code}): ${detail}`, { cause: error });
  }
  return new AppError('STORE_UNAVAILABLE', `${what}: ${code ? `(${code}) ` : ''}${detail}`, {
    cause: error,
    status: 503,
  });
}
