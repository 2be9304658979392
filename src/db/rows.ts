import { AppError, parseJsonText, parseOrThrow } from '../models/index.ts';

/** Helpers for reading rows: timestamps come back as `Date` (TIMESTAMPTZ), JSON columns as TEXT. */

export type Validator<T> = Parameters<typeof parseOrThrow<T>>[0];

/** A TIMESTAMPTZ value as ISO 8601 UTC. */
export function toIso(value: unknown, column: string): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string') {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  throw new AppError('STORE_SCHEMA', `column ${column}: expected a timestamp, got ${typeof value}`);
}

export function toIsoOrNull(value: unknown, column: string): string | null {
  return value === null || value === undefined ? null : toIso(value, column);
}

/** Epoch ms or ISO text to the `Date` postgres.js serialises as TIMESTAMPTZ. */
export function toDate(value: number | string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new AppError('INVALID_INPUT', `not a valid time: ${String(value)}`);
  return date;
}

/**
 * Parse a JSON TEXT column and validate it. A row that fails validation is a store problem (written by an older
 * version or by hand), so it surfaces as STORE_SCHEMA naming the row, not as bad user input.
 */
export function readJsonColumn<T>(input: {
  schema: Validator<T>;
  text: unknown;
  what: string;
  /** Bring an older row up to the current shape before validating (e.g. absent signals read as null). */
  upgrade?: (value: unknown) => unknown;
}): T {
  try {
    if (typeof input.text !== 'string') throw new AppError('INVALID_INPUT', `${input.what}: not text`);
    const value = parseJsonText(input.text, input.what);
    return parseOrThrow(input.schema, input.upgrade ? input.upgrade(value) : value, input.what);
  } catch (error) {
    if (error instanceof AppError && error.code === 'INVALID_INPUT') {
      throw new AppError('STORE_SCHEMA', `stored ${error.message}`, {
        cause: error,
        ...(error.problems ? { problems: error.problems } : {}),
      });
    }
    throw error;
  }
}

export function readString(value: unknown, column: string): string {
  if (typeof value !== 'string') throw new AppError('STORE_SCHEMA', `column ${column}: expected text`);
  return value;
}

export function readNumber(value: unknown, column: string): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new AppError('STORE_SCHEMA', `column ${column}: expected a number`);
  }
  return number;
}
