import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';

/** A short code for why an activity failed: our error code when it carried one, else the kind of failure. */
export function failureCodeOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  if (cause instanceof TimeoutFailure) return `ACTIVITY_TIMEOUT_${cause.timeoutType}`;
  return 'ACTIVITY_FAILED';
}
