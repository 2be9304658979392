import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { latestCycle, listDecisions, migrate, openStore, servePglite, writeCycle } from '../../src/db/index.ts';
import { cycle, T0 } from './fixtures.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'copilot-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function portOf(target: string): number {
  return Number(target.split(':').at(-1));
}

test('two stores and a Node process share one embedded database through the socket server', async () => {
  const owner = await openStore({ kind: 'embedded', dataDir, port: 0 });
  const port = portOf(owner.target);
  const guest = await openStore({ kind: 'embedded', dataDir, port });
  try {
    expect(portOf(guest.target)).toBe(port);
    await migrate(owner.sql);
    // Both pools write at once; the server serializes their transactions.
    const writes = Array.from({ length: 10 }, (_, i) =>
      writeCycle(i % 2 === 0 ? owner.sql : guest.sql, cycle({ cluster: 'shared', atMs: T0 + i * 30_000 })),
    );
    expect((await Promise.all(writes)).every((r) => r.inserted)).toBe(true);

    // The worker runs on Node: the same driver from another runtime and process sees the same rows.
    const script = `
      const postgres = require('postgres');
      const sql = postgres({ host: '127.0.0.1', port: ${port}, username: 'postgres', database: 'postgres', max: 1 });
      sql\`SELECT count(*)::int AS n FROM decisions WHERE cluster = 'shared'\`
        .then((rows) => { process.stdout.write(String(rows[0].n)); return sql.end(); })
        .catch((error) => { process.stderr.write(String(error)); process.exit(1); });`;
    const child = Bun.spawn(['node', '-e', script], {
      cwd: join(import.meta.dir, '../..'),
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [stdout, stderr, exitCode] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    expect({ stdout, stderr, exitCode }).toEqual({ stdout: '10', stderr: '', exitCode: 0 });

    // Closing the guest leaves the owner's server up.
    await guest.close();
    expect(await latestCycle(owner.sql, { cluster: 'shared' })).not.toBeNull();
  } finally {
    await guest.close().catch(() => {});
    await owner.close();
  }
});

test('the data directory persists across restarts, and a stale lock from a dead process is taken over', async () => {
  // A lock left by a process that no longer exists.
  const dead = Bun.spawn(['true']);
  await dead.exited;
  writeFileSync(join(dataDir, 'copilot-embedded.lock'), String(dead.pid));
  const reopened = await openStore({ kind: 'embedded', dataDir, port: 0 });
  try {
    expect(await migrate(reopened.sql)).toEqual({ applied: [] });
    const page = await listDecisions(reopened.sql, { cluster: 'shared', startMs: T0, endMs: T0 + 3_600_000 });
    expect(page.items).toHaveLength(10);
  } finally {
    await reopened.close();
  }
});

test('an unreachable Postgres is STORE_UNAVAILABLE and bad credentials are AUTH_FAILED', async () => {
  const refused = await openStore({ kind: 'postgres', url: 'postgres://postgres:x@127.0.0.1:1/copilot_test' }).catch(
    (e: unknown) => e,
  );
  expect(refused).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  const denied = await openStore({
    kind: 'postgres',
    url: 'postgres://postgres:wrong-password@127.0.0.1:5432/copilot_test',
  }).catch((e: unknown) => e);
  expect(denied).toMatchObject({ code: 'AUTH_FAILED' });
  expect(String(denied)).toContain('28P01');
});

test("two clients on one pglite-socket server never see each other's results or transactions", async () => {
  const db = await PGlite.create('memory://');
  const served = await servePglite({ db, port: 0 });
  const [first, second] = ['a', 'b'].map((name) => ({
    name,
    sql: postgres({
      host: '127.0.0.1',
      port: served.port,
      username: 'postgres',
      database: 'postgres',
      max: 1,
      onnotice: () => {},
    }),
  }));
  if (!first || !second) throw new Error('two clients expected');
  const clients = [first, second];
  try {
    await first.sql`CREATE TABLE echo (id TEXT PRIMARY KEY)`;
    const queries = clients.flatMap(({ name, sql }) =>
      Array.from({ length: 200 }, (_, i) =>
        sql`SELECT ${`${name}${i}`}::text AS x`.then((rows) => rows[0]?.['x'] === `${name}${i}`),
      ),
    );
    expect((await Promise.all(queries)).every(Boolean)).toBe(true);
    const transactions = clients.flatMap(({ name, sql }) =>
      Array.from({ length: 50 }, (_, i) =>
        sql.begin(async (tx) => {
          await tx`INSERT INTO echo (id) VALUES (${`${name}${i}`})`;
          const rows = await tx`SELECT count(*)::int AS n FROM echo WHERE id = ${`${name}${i}`}`;
          return rows[0]?.['n'];
        }),
      ),
    );
    expect(await Promise.all(transactions)).toEqual(Array.from({ length: 100 }, () => 1));
  } finally {
    for (const { sql } of clients) await sql.end();
    await served.stop();
    await db.close();
  }
});

test('queries of other clients interleaved with a transaction never lose their portal (34000)', async () => {
  // Before servePglite kept a client's extended query together until its Sync, this failed with
  // `portal "" does not exist` a few times per run: the live demo's API polling while the worker wrote cycles.
  const db = await PGlite.create('memory://');
  const served = await servePglite({ db, port: 0 });
  const connect = () =>
    postgres({
      host: '127.0.0.1',
      port: served.port,
      username: 'postgres',
      database: 'postgres',
      max: 1,
      onnotice: () => {},
    });
  const [writer, readerA, readerB] = [connect(), connect(), connect()];
  const failures: string[] = [];
  let wrongRows = 0;
  try {
    await writer`CREATE TABLE kv (id TEXT PRIMARY KEY, v INT)`;
    const transactions = Array.from({ length: 150 }, (_, i) =>
      writer
        .begin(async (tx) => {
          await tx`INSERT INTO kv (id, v) VALUES (${`k${i}`}, ${i})`;
          await tx`SELECT count(*)::int AS n FROM kv WHERE v <= ${i}`;
        })
        .catch((error: unknown) => failures.push(String(error))),
    );
    const reads = [readerA, readerB].flatMap((sql, reader) =>
      Array.from({ length: 300 }, (_, i) => {
        const want = `${reader}-${i}`;
        const query =
          i % 2 === 0 ? sql`SELECT ${want}::text AS x, ${i}::int AS n` : sql`SELECT ${want}::text AS x, now() AS t`;
        return query.then(
          (rows) => {
            if (rows[0]?.['x'] !== want) wrongRows += 1;
          },
          (error: unknown) => failures.push(String(error)),
        );
      }),
    );
    await Promise.all([...transactions, ...reads]);
    expect({ failures: failures.slice(0, 3), wrongRows }).toEqual({ failures: [], wrongRows: 0 });
    expect((await readerA`SELECT count(*)::int AS n FROM kv`)[0]?.['n']).toBe(150);
  } finally {
    for (const sql of [writer, readerA, readerB]) await sql.end();
    await served.stop();
    await db.close();
  }
});
