import type postgres from 'postgres';
import { AppError } from '../models/index.ts';
import { isRetryableConflict, toStoreError } from './errors.ts';

/** How writes retry optimistic-concurrency conflicts. */
export interface RetryPolicy {
  /** Total attempts including the first. @default 6 */
  maxAttempts: number;
  /** @default 5 */
  baseDelayMs: number;
  /** Cap on one backoff. @default 500 */
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 5,
  maxDelayMs: 500,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
});

/**
 * Backoff before attempt `attempt + 1`: "full jitter", uniform in [0, min(max, base * 2^(attempt-1))).
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelayMs(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>, attempt: number) {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

export interface TransactionInput<T> {
  sql: postgres.Sql;
  /** Names the operation in errors. */
  what: string;
  /** The whole transaction: re-run from the start (reads included) on a conflict, so keep it free of side effects. */
  run: (tx: postgres.TransactionSql) => Promise<T>;
  policy?: Partial<RetryPolicy>;
}

/**
 * Run `run` in a transaction, retrying it on OCC conflicts (SQLSTATE 40001 / DSQL OC000, OC001) and key races with
 * exponential backoff and full jitter.
 * @throws AppError STORE_CONFLICT after `maxAttempts`; otherwise the mapped store error (STORE_UNAVAILABLE, …).
 */
export async function inTransaction<T>(input: TransactionInput<T>): Promise<T> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...input.policy };
  for (let attempt = 1; ; attempt++) {
    try {
      // Boxed because `begin` types its result as UnwrapPromiseArray<T>, which TypeScript cannot simplify for a generic T.
      const box: { value: T } = await input.sql.begin(async (tx) => ({ value: await input.run(tx) }));
      return box.value;
    } catch (error) {
      if (!isRetryableConflict(error)) throw toStoreError(error, input.what);
      if (attempt >= policy.maxAttempts) {
        throw new AppError(
          'STORE_CONFLICT',
          `${input.what}: still conflicting after ${attempt} attempts (${error instanceof Error ? error.message : String(error)})`,
          { cause: error, status: 503 },
        );
      }
      await policy.sleep(backoffDelayMs(policy, attempt));
    }
  }
}
