import type postgres from 'postgres';
import type { PurgeReport } from '../models/index.ts';
import { AppError } from '../models/index.ts';
import { toStoreError } from './errors.ts';
import { inTransaction, type RetryPolicy } from './retry.ts';
import { readNumber, toDate } from './rows.ts';
import { RETAINED_TABLES, type RetainedTable } from './schema.ts';

export interface PurgeProgress {
  table: RetainedTable;
  /** Rows deleted from this table so far (or, on a dry run, rows that would be). */
  rows: number;
  batches: number;
  done: boolean;
}

export interface PurgeInput {
  /** Rows older than this (epoch ms) go. */
  cutoffMs: number;
  /** Rows per delete transaction; DSQL allows 3,000. @default 1000 */
  batchSize?: number;
  /** Count instead of deleting. @default false */
  dryRun?: boolean;
  onProgress?: (progress: PurgeProgress) => void;
  retry?: Partial<RetryPolicy>;
}

export const MAX_PURGE_BATCH = 2_500;

/**
 * Retention: delete rows older than the cutoff from every store table, one batch per transaction so that no
 * transaction passes DSQL's 3,000-row limit. DSQL has no `DELETE … LIMIT` and no `TRUNCATE`, hence
 * `DELETE … WHERE id IN (SELECT id … LIMIT n)`. Children go before their assessments.
 * @throws AppError INVALID_INPUT (batch size), STORE_CONFLICT, STORE_UNAVAILABLE, STORE_SCHEMA
 */
export async function purgeOlderThan(sql: postgres.Sql, input: PurgeInput): Promise<PurgeReport> {
  const batchSize = input.batchSize ?? 1_000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_PURGE_BATCH) {
    throw new AppError('INVALID_INPUT', `batch size must be an integer in [1, ${MAX_PURGE_BATCH}]`, { status: 400 });
  }
  const cutoff = toDate(input.cutoffMs);
  const report: PurgeReport = { cutoff: cutoff.toISOString(), dry_run: input.dryRun ?? false, tables: [] };
  for (const { table, atColumn } of RETAINED_TABLES) {
    let rows = 0;
    let batches = 0;
    if (input.dryRun) {
      try {
        const counted = await sql`SELECT count(*) AS n FROM ${sql(table)} WHERE ${sql(atColumn)} < ${cutoff}`;
        rows = readNumber(counted[0]?.['n'], `${table} count`);
      } catch (error) {
        throw toStoreError(error, `count ${table} rows to purge`);
      }
    } else {
      for (;;) {
        const deleted = await inTransaction({
          sql,
          what: `purge ${table}`,
          ...(input.retry ? { policy: input.retry } : {}),
          run: async (tx) => {
            const result = await tx`DELETE FROM ${tx(table)} WHERE id IN (
              SELECT id FROM ${tx(table)} WHERE ${tx(atColumn)} < ${cutoff} LIMIT ${batchSize})`;
            return result.count;
          },
        });
        if (deleted === 0) break;
        rows += deleted;
        batches += 1;
        input.onProgress?.({ table, rows, batches, done: false });
        if (deleted < batchSize) break;
      }
    }
    input.onProgress?.({ table, rows, batches, done: true });
    report.tables.push({ table, rows, batches });
  }
  return report;
}
