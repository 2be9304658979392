import type postgres from 'postgres';
import { errorCode, toStoreError } from './errors.ts';
import { inTransaction } from './retry.ts';
import { type Dialect, MIGRATIONS, MIGRATIONS_TABLE_DDL, renderStatement } from './schema.ts';

/**
 * "Already exists" SQLSTATEs a concurrent migrator can cause even with IF NOT EXISTS (catalog races on Postgres);
 * 42701 is a column added twice.
 */
const ALREADY_EXISTS = new Set(['42P07', '42710', '23505', '42701']);

export interface MigrateOptions {
  /** Detected when omitted: DSQL exposes the `sys` schema (sys.jobs), Postgres and PGlite do not. */
  dialect?: Dialect;
}

/** Which dialect to render DDL for. */
export async function detectDialect(sql: postgres.Sql): Promise<Dialect> {
  try {
    const rows = await sql`SELECT 1 AS found FROM pg_namespace WHERE nspname = 'sys'`;
    return rows.length > 0 ? 'dsql' : 'postgres';
  } catch (error) {
    throw toStoreError(error, 'detect database dialect');
  }
}

async function ddl(sql: postgres.Sql, statement: string, dialect: Dialect): Promise<void> {
  try {
    // One DDL statement per implicit transaction, never mixed with DML (DSQL rule). The text is a constant of
    // schema.ts, never input, so `unsafe` is safe here.
    const rows = await sql.unsafe(renderStatement(statement, dialect));
    const jobId = rows[0]?.['job_id'];
    // DSQL builds indexes in the background; wait so queries never race a half-built index.
    if (dialect === 'dsql' && typeof jobId === 'string') await sql`SELECT sys.wait_for_job(${jobId})`;
  } catch (error) {
    const code = errorCode(error);
    if (code !== null && ALREADY_EXISTS.has(code)) return;
    throw toStoreError(error, `apply schema statement '${statement.split('\n')[0] ?? ''}'`);
  }
}

/** The versions recorded as applied. */
export async function appliedVersions(sql: postgres.Sql): Promise<Set<string>> {
  try {
    const rows = await sql`SELECT version FROM schema_migrations`;
    return new Set(rows.map((row) => String(row['version'])));
  } catch (error) {
    throw toStoreError(error, 'read applied migrations');
  }
}

/** Versions not yet applied (empty when the schema is up to date), or null when the store has no schema at all. */
export async function pendingMigrations(sql: postgres.Sql): Promise<string[] | null> {
  try {
    const found = await sql`SELECT 1 AS found FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`;
    if (found.length === 0) return null;
  } catch (error) {
    throw toStoreError(error, 'inspect schema');
  }
  const applied = await appliedVersions(sql);
  return MIGRATIONS.filter((migration) => !applied.has(migration.version)).map((migration) => migration.version);
}

/**
 * Bring the schema up to date: each pending migration runs as its own DDL transaction, then its version is recorded
 * in a separate DML transaction. Idempotent (every DDL is IF NOT EXISTS, so a crash between the two steps is
 * harmless) and safe to run concurrently. Works on DSQL, Postgres and PGlite.
 * @returns the versions applied by this call (empty when already up to date).
 * @throws AppError STORE_UNAVAILABLE, STORE_SCHEMA, AUTH_FAILED
 */
export async function migrate(sql: postgres.Sql, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const dialect = options.dialect ?? (await detectDialect(sql));
  await ddl(sql, MIGRATIONS_TABLE_DDL, dialect);
  const done = await appliedVersions(sql);
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    await ddl(sql, migration.statement, dialect);
    const recorded = await inTransaction({
      sql,
      what: `record migration ${migration.version}`,
      run: async (tx) => {
        const rows = await tx`SELECT version FROM schema_migrations WHERE version = ${migration.version}`;
        if (rows.length > 0) return false;
        await tx`INSERT INTO schema_migrations (version, applied_at) VALUES (${migration.version}, ${new Date()})`;
        return true;
      },
    });
    if (recorded) applied.push(migration.version);
  }
  return { applied };
}
