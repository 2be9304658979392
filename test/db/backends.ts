import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { migrate, openStore, postgresConnectionOptions, servePglite } from '../../src/db/index.ts';

/**
 * The three real databases the store must work on. Each `open()` gives an isolated, migrated database:
 * - postgres: a fresh schema in copilot_test (search_path set on the connection), dropped on close;
 * - pglite: an in-memory PGlite in this process, served by pglite-socket on port 0;
 * - embedded: `openStore({ kind: 'embedded' })` on a temporary data directory (PGlite on disk + socket server).
 */

export const TEST_DATABASE_URL =
  process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres:copilot@127.0.0.1:5432/copilot_test';

export interface TestDb {
  sql: postgres.Sql;
  /** A URL other clients can use to reach the same database (for the CLI and second pools). */
  url: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Extra session settings (Postgres only), e.g. an isolation level. */
  connection?: Record<string, string>;
  /** Run the migrations first. @default true */
  migrate?: boolean;
}

export interface Backend {
  name: 'postgres' | 'pglite' | 'embedded';
  open(options?: OpenOptions): Promise<TestDb>;
}

const silent = () => {};

export function freshSchemaName(): string {
  return `t_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** A fresh schema in the test Postgres; `connection` adds session settings (e.g. isolation level). */
export async function openPostgres(options: OpenOptions = {}): Promise<TestDb> {
  const schema = freshSchemaName();
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: silent });
  await admin.unsafe(`CREATE SCHEMA ${schema}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('search_path', schema);
  // The production options for DATABASE_URL (isolation included), so tests exercise what users run.
  const production = postgresConnectionOptions();
  const sql = postgres(url.toString(), {
    ...production,
    max: 8,
    // A non-UTC session zone proves timestamps are converted, not echoed.
    connection: { ...production.connection, search_path: schema, TimeZone: 'America/New_York', ...options.connection },
  });
  if (options.migrate !== false) await migrate(sql);
  return {
    sql,
    url: url.toString(),
    close: async () => {
      await sql.end();
      await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export async function openPglite(options: OpenOptions = {}): Promise<TestDb> {
  const db = await PGlite.create('memory://');
  const served = await servePglite({ db, port: 0 });
  const url = `postgres://postgres@127.0.0.1:${served.port}/postgres`;
  const sql = postgres(url, { max: 1, onnotice: silent });
  if (options.migrate !== false) await migrate(sql);
  return {
    sql,
    url,
    close: async () => {
      await sql.end();
      await served.stop();
      await db.close();
    },
  };
}

export async function openEmbedded(options: OpenOptions = {}): Promise<TestDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'copilot-store-'));
  const store = await openStore({ kind: 'embedded', dataDir, port: 0 });
  if (options.migrate !== false) await migrate(store.sql);
  const port = store.target.split(':').at(-1) ?? '';
  return {
    sql: store.sql,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    close: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const BACKENDS: readonly Backend[] = [
  { name: 'postgres', open: openPostgres },
  { name: 'pglite', open: openPglite },
  { name: 'embedded', open: openEmbedded },
];
