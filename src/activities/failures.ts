import { ApplicationFailure } from '@temporalio/client';
import type { ErrorCode } from '../models/index.ts';
import { AppError } from '../models/index.ts';

type Disposition = 'permanent' | 'transient' | 'transient_benign';

/** Whether Temporal should retry an activity that failed with `code`. One exhaustive switch: a new code must choose. */
export function dispositionOf(code: ErrorCode): Disposition {
  switch (code) {
    case 'INVALID_INPUT':
    case 'CONFIG_INVALID':
    case 'NOT_FOUND':
    case 'UPSTREAM_BAD_BODY':
    case 'UPSTREAM_QUERY_ERROR':
    case 'AUTH_FAILED':
    case 'STORE_SCHEMA':
    case 'STORE_LIMIT':
      return 'permanent';
    case 'UPSTREAM_UNREACHABLE':
    case 'UPSTREAM_TIMEOUT':
    case 'UPSTREAM_THROTTLED':
    case 'STORE_UNAVAILABLE':
      // Routine outages of things we watch or write to: retried, logged quietly (BENIGN), never page anyone.
      return 'transient_benign';
    case 'UPSTREAM_STATUS':
    case 'CANCELLED':
    case 'CREDENTIALS_UNAVAILABLE':
    case 'STORE_CONFLICT':
      return 'transient';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/**
 * The Temporal edge of our errors: an AppError becomes an ApplicationFailure whose `type` is our code, non-retryable
 * for permanent codes. Anything else (a bug, a driver error we did not map) is rethrown and retried by policy.
 */
export function toActivityFailure(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  switch (dispositionOf(error.code)) {
    case 'permanent':
      return ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: true, cause: error });
    case 'transient':
      return ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: false, cause: error });
    case 'transient_benign':
      return ApplicationFailure.create({
        message: error.message,
        type: error.code,
        nonRetryable: false,
        category: 'BENIGN',
        cause: error,
      });
    default:
      return error;
  }
}
