import type postgres from 'postgres';
import { AppError, LogPattern, parseOrThrow } from '../models/index.ts';
import type { WriteOptions } from './cycles.ts';
import { toStoreError } from './errors.ts';
import { inTransaction } from './retry.ts';
import { readJsonColumn, readString, toDate } from './rows.ts';

/** Rows per transaction, well under DSQL's 3,000-row limit. */
const BATCH_ROWS = 1_000;

function patternId(input: { cluster: string; windowKey: string; pattern: LogPattern }): string {
  return `${input.cluster}/${input.windowKey}/${input.pattern.service}/${input.pattern.signature_id}`;
}

/**
 * Store the log pattern counts of one window, idempotent on (cluster, windowKey, service, signature_id).
 * @returns how many rows were new.
 * @throws AppError INVALID_INPUT (duplicate pattern in one window), STORE_CONFLICT, STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function writeLogPatterns(
  sql: postgres.Sql,
  input: { cluster: string; windowKey: string; patterns: LogPattern[] },
  options: WriteOptions = {},
): Promise<{ inserted: number }> {
  const rows = input.patterns.map((pattern) => {
    parseOrThrow(LogPattern, pattern, 'log pattern');
    return {
      id: patternId({ cluster: input.cluster, windowKey: input.windowKey, pattern }),
      cluster: input.cluster,
      window_key: input.windowKey,
      signature_id: pattern.signature_id,
      service: pattern.service,
      count: pattern.count,
      window_start: toDate(pattern.window_start),
      window_end: toDate(pattern.window_end),
      pattern_json: JSON.stringify(pattern),
    };
  });
  if (new Set(rows.map((row) => row.id)).size !== rows.length) {
    throw new AppError('INVALID_INPUT', `window ${input.windowKey} lists a signature twice for one service`, {
      status: 400,
    });
  }
  let inserted = 0;
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    inserted += await inTransaction({
      sql,
      what: `write log patterns ${input.cluster}/${input.windowKey}`,
      ...(options.retry ? { policy: options.retry } : {}),
      run: async (tx) => {
        const existing = await tx`SELECT id FROM log_patterns WHERE id IN ${tx(batch.map((row) => row.id))}`;
        const known = new Set(existing.map((row) => readString(row['id'], 'log_patterns.id')));
        const fresh = batch.filter((row) => !known.has(row.id));
        for (let i = 0; i < fresh.length; i += 200) await tx`INSERT INTO log_patterns ${tx(fresh.slice(i, i + 200))}`;
        return fresh.length;
      },
    });
  }
  return { inserted };
}

/**
 * Log patterns of a cluster whose window ended at or after `sinceMs`, newest window first (at most 1,000).
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function recentLogPatterns(
  sql: postgres.Sql,
  input: { cluster: string; sinceMs: number },
): Promise<LogPattern[]> {
  try {
    const rows = await sql`SELECT id, pattern_json FROM log_patterns
      WHERE cluster = ${input.cluster} AND window_end >= ${toDate(input.sinceMs)}
      ORDER BY window_end DESC, count DESC, id
      LIMIT 1000`;
    return rows.map((row) =>
      readJsonColumn({ schema: LogPattern, text: row['pattern_json'], what: `log pattern ${String(row['id'])}` }),
    );
  } catch (error) {
    throw toStoreError(error, `read log patterns of ${input.cluster}`);
  }
}
