import { afterAll, describe, expect, test } from 'bun:test';
import {
  type PurgeProgress,
  purgeOlderThan,
  writeAssessment,
  writeCycle,
  writeLogPatterns,
} from '../../src/db/index.ts';
import { isAppError } from '../../src/models/index.ts';
import { openPglite, openPostgres, type TestDb } from './backends.ts';
import { assessment, cycle, iso, issue, pattern, T0 } from './fixtures.ts';

const opened = { postgres: await openPostgres(), pglite: await openPglite() };
afterAll(async () => {
  await opened.postgres.close();
  await opened.pglite.close();
});

const CUTOFF = T0 + 10 * 86_400_000;

async function counts(db: TestDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['decisions', 'signal_snapshots', 'assessments', 'issues', 'suggested_actions', 'log_patterns']) {
    const rows = await db.sql`SELECT count(*)::int AS n FROM ${db.sql(table)}`;
    out[table] = Number(rows[0]?.['n']);
  }
  return out;
}

describe.each(['postgres', 'pglite'] as const)('retention purge on %s', (name) => {
  const db: TestDb = opened[name];

  test('deletes only rows older than the cutoff, in batches, reporting progress; dry run counts the same', async () => {
    // 130 old cycles (3 batches of 50), 3 old assessments with children, 260 old log patterns; some fresh rows.
    for (let i = 0; i < 130; i++) await writeCycle(db.sql, cycle({ cluster: 'old', atMs: T0 + i * 30_000 }));
    for (let i = 0; i < 3; i++) {
      const issues = [issue({ ruleId: `r${i}` })];
      await writeAssessment(db.sql, assessment({ cluster: 'old', key: `old-${i}`, atMs: T0 + i * 60_000, issues }));
    }
    const oldPatterns = Array.from({ length: 260 }, (_, i) =>
      pattern({ signature: `s${i}`, startMs: T0, endMs: T0 + 1 }),
    );
    await writeLogPatterns(db.sql, { cluster: 'old', windowKey: 'w-old', patterns: oldPatterns });
    for (let i = 0; i < 4; i++) await writeCycle(db.sql, cycle({ cluster: 'new', atMs: CUTOFF + i * 30_000 }));
    await writeAssessment(
      db.sql,
      assessment({ cluster: 'new', key: 'new-0', atMs: CUTOFF, issues: [issue({ ruleId: 'n' })] }),
    );
    await writeLogPatterns(db.sql, {
      cluster: 'new',
      windowKey: 'w-new',
      patterns: [pattern({ signature: 'fresh', startMs: CUTOFF - 30_000, endMs: CUTOFF })],
    });

    const before = await counts(db);
    const dry = await purgeOlderThan(db.sql, { cutoffMs: CUTOFF, dryRun: true });
    expect(dry.tables).toEqual([
      { table: 'suggested_actions', rows: 9, batches: 0 },
      { table: 'issues', rows: 3, batches: 0 },
      { table: 'assessments', rows: 3, batches: 0 },
      { table: 'decisions', rows: 130, batches: 0 },
      { table: 'signal_snapshots', rows: 130, batches: 0 },
      { table: 'log_patterns', rows: 260, batches: 0 },
    ]);
    expect(await counts(db)).toEqual(before);

    const progress: PurgeProgress[] = [];
    const report = await purgeOlderThan(db.sql, {
      cutoffMs: CUTOFF,
      batchSize: 50,
      onProgress: (p) => progress.push(p),
    });
    expect(report).toEqual({
      cutoff: iso(CUTOFF),
      dry_run: false,
      tables: [
        { table: 'suggested_actions', rows: 9, batches: 1 },
        { table: 'issues', rows: 3, batches: 1 },
        { table: 'assessments', rows: 3, batches: 1 },
        { table: 'decisions', rows: 130, batches: 3 },
        { table: 'signal_snapshots', rows: 130, batches: 3 },
        { table: 'log_patterns', rows: 260, batches: 6 },
      ],
    });
    expect(progress.filter((p) => p.table === 'decisions')).toEqual([
      { table: 'decisions', rows: 50, batches: 1, done: false },
      { table: 'decisions', rows: 100, batches: 2, done: false },
      { table: 'decisions', rows: 130, batches: 3, done: false },
      { table: 'decisions', rows: 130, batches: 3, done: true },
    ]);
    expect(await counts(db)).toEqual({
      decisions: 4,
      signal_snapshots: 4,
      assessments: 1,
      issues: 1,
      suggested_actions: 3,
      log_patterns: 1,
    });
    // Nothing left to do: a second run deletes nothing.
    const again = await purgeOlderThan(db.sql, { cutoffMs: CUTOFF });
    expect(again.tables.every((t) => t.rows === 0 && t.batches === 0)).toBe(true);
  });

  test('the default batch is 1,000 rows, so 2,100 old rows take three transactions', async () => {
    await db.sql`INSERT INTO log_patterns (id, cluster, window_key, signature_id, service, count, window_start,
        window_end, pattern_json)
      SELECT 'bulk/' || n, 'bulk', 'w', 's' || n, 'history', 1, ${new Date(T0)}, ${new Date(T0)}, '{}'
      FROM generate_series(1, 2100) AS n`;
    const report = await purgeOlderThan(db.sql, { cutoffMs: CUTOFF });
    expect(report.tables.find((t) => t.table === 'log_patterns')).toEqual({
      table: 'log_patterns',
      rows: 2100,
      batches: 3,
    });
  });

  test('a batch size DSQL could not take is refused', async () => {
    const error = await purgeOlderThan(db.sql, { cutoffMs: CUTOFF, batchSize: 3_000 }).catch((e: unknown) => e);
    expect(isAppError(error, 'INVALID_INPUT')).toBe(true);
  });
});
