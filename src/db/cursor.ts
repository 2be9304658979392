import { type } from 'arktype';
import { AppError } from '../models/index.ts';

/**
 * Keyset cursors over (at, id), newest first. The cursor is opaque to clients (base64url of JSON) so that the
 * ordering key can change without breaking them; it is validated like any other outside input.
 */

const CursorPayload = type({ at: 'string.date.iso', id: 'string > 0' });

export interface Keyset {
  at: Date;
  id: string;
}

export function encodeCursor(key: { at: string; id: string }): string {
  return Buffer.from(JSON.stringify({ at: key.at, id: key.id }), 'utf8').toString('base64url');
}

/** @throws AppError INVALID_INPUT (status 400) for a cursor we did not issue. */
export function decodeCursor(cursor: string): Keyset {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new AppError('INVALID_INPUT', 'invalid cursor', { status: 400 });
  }
  const parsed = CursorPayload(payload);
  if (parsed instanceof type.errors) throw new AppError('INVALID_INPUT', 'invalid cursor', { status: 400 });
  return { at: new Date(parsed.at), id: parsed.id };
}

/** Page size bounds shared by every listing. */
export const MAX_PAGE_SIZE = 500;

export function checkLimit(limit: number | undefined, fallback: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new AppError('INVALID_INPUT', `limit must be an integer in [1, ${MAX_PAGE_SIZE}]`, { status: 400 });
  }
  return value;
}
