import { describe, expect, test } from 'bun:test';
import { detectDialect, MIGRATIONS, migrate, pendingMigrations, STORE_TABLES } from '../../src/db/index.ts';
import { openPglite, openPostgres } from './backends.ts';

const ALL = MIGRATIONS.map((m) => m.version);

describe.each([
  ['postgres', openPostgres],
  ['pglite', openPglite],
] as const)('migrations on %s', (_name, open) => {
  test('apply once, then are a no-op; the applied versions are recorded', async () => {
    const db = await open({ migrate: false });
    try {
      expect(await detectDialect(db.sql)).toBe('postgres');
      expect(await pendingMigrations(db.sql)).toBeNull();
      expect(await migrate(db.sql)).toEqual({ applied: ALL });
      expect(await migrate(db.sql)).toEqual({ applied: [] });
      expect(await pendingMigrations(db.sql)).toEqual([]);
      const tables = await db.sql`SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() ORDER BY table_name`;
      expect(tables.map((t) => String(t['table_name']))).toEqual([...STORE_TABLES].sort());
      const indexes = await db.sql`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
        AND indexname LIKE 'idx_%'`;
      expect(indexes).toHaveLength(MIGRATIONS.filter((m) => m.statement.startsWith('CREATE INDEX')).length);
    } finally {
      await db.close();
    }
  });

  test('three migrators racing on an empty database apply every version exactly once', async () => {
    const db = await open({ migrate: false });
    try {
      const results = await Promise.all([migrate(db.sql), migrate(db.sql), migrate(db.sql)]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual(ALL);
      const rows = await db.sql`SELECT version FROM schema_migrations ORDER BY version`;
      expect(rows.map((r) => String(r['version']))).toEqual(ALL);
    } finally {
      await db.close();
    }
  });

  test('a half-applied migration (DDL ran, version not recorded) is finished by the next run', async () => {
    const db = await open();
    try {
      const last = ALL.at(-1) ?? '';
      await db.sql`DELETE FROM schema_migrations WHERE version = ${last}`;
      expect(await pendingMigrations(db.sql)).toEqual([last]);
      expect(await migrate(db.sql)).toEqual({ applied: [last] });
    } finally {
      await db.close();
    }
  });
});
