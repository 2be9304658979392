import { afterAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type postgres from 'postgres';
import { backoffDelayMs, inTransaction, listDecisions, writeAssessment, writeCycle } from '../../src/db/index.ts';
import { isAppError } from '../../src/models/index.ts';
import { openPglite, openPostgres, type TestDb } from './backends.ts';
import { assessment, cycle, issue, T0 } from './fixtures.ts';

/** A driver-shaped error, as postgres.js raises it (`code` holds the SQLSTATE). */
function pgError(code: string | undefined, message: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

/** Wrap a pool so that its first `failures` transactions fail before running, as a DSQL commit conflict would. */
function conflicting(sql: postgres.Sql, failures: number, error: () => Error) {
  let begins = 0;
  const wrapped = new Proxy(sql, {
    get(target, property, receiver) {
      if (property !== 'begin') return Reflect.get(target, property, receiver);
      return (callback: (tx: postgres.TransactionSql) => Promise<unknown>) => {
        begins++;
        return begins <= failures ? Promise.reject(error()) : target.begin(callback);
      };
    },
  });
  return { sql: wrapped, begins: () => begins };
}

function recordingPolicy(maxAttempts: number) {
  const delaysMs: number[] = [];
  return {
    delaysMs,
    policy: {
      maxAttempts,
      baseDelayMs: 8,
      maxDelayMs: 100,
      random: () => 0.5,
      sleep: async (ms: number) => {
        delaysMs.push(ms);
      },
    },
  };
}

const opened = { postgres: await openPostgres(), pglite: await openPglite() };
const cleanups: TestDb[] = [opened.postgres, opened.pglite];
afterAll(async () => {
  for (const db of cleanups) await db.close();
});

describe.each(['postgres', 'pglite'] as const)('OCC retry on %s', (name) => {
  const db: TestDb = opened[name];
  const oc000 = () => pgError('40001', 'mutation conflicts with another transaction, retry as needed (OC000)');

  test('three injected 40001 conflicts are retried with full-jitter backoff, then the cycle commits once', async () => {
    const wrapped = conflicting(db.sql, 3, oc000);
    const { policy, delaysMs } = recordingPolicy(6);
    const input = cycle({ cluster: `occ-${name}`, atMs: T0 });
    expect(await writeCycle(wrapped.sql, input, { retry: policy })).toEqual({ inserted: true });
    expect(wrapped.begins()).toBe(4);
    // random 0.5 of ceilings 8, 16, 32.
    expect(delaysMs).toEqual([4, 8, 16]);
    const page = await listDecisions(db.sql, { cluster: `occ-${name}`, startMs: T0, endMs: T0 });
    expect(page.items).toHaveLength(1);
  });

  test('conflicts on every attempt end in STORE_CONFLICT after maxAttempts, with nothing written', async () => {
    const wrapped = conflicting(db.sql, 100, oc000);
    const { policy, delaysMs } = recordingPolicy(5);
    const a = assessment({
      cluster: `occ-x-${name}`,
      key: `occ-x-${name}`,
      atMs: T0,
      issues: [issue({ ruleId: 'r' })],
    });
    const error = await writeAssessment(wrapped.sql, a, { retry: policy }).catch((e: unknown) => e);
    expect(isAppError(error, 'STORE_CONFLICT')).toBe(true);
    expect(String(error)).toContain('5 attempts');
    expect(wrapped.begins()).toBe(5);
    expect(delaysMs).toHaveLength(4);
    const rows = await db.sql`SELECT id FROM assessments WHERE cluster = ${`occ-x-${name}`}`;
    expect(rows).toHaveLength(0);
  });

  test('DSQL codes in the message alone (OC001 stale catalog) are retried too', async () => {
    const wrapped = conflicting(db.sql, 1, () =>
      pgError(undefined, 'schema has been updated by another transaction, please retry: (OC001)'),
    );
    const { policy } = recordingPolicy(3);
    expect(await writeCycle(wrapped.sql, cycle({ cluster: `oc001-${name}`, atMs: T0 }), { retry: policy })).toEqual({
      inserted: true,
    });
    expect(wrapped.begins()).toBe(2);
  });

  test('errors that are not conflicts are not retried and keep their meaning', async () => {
    const wrapped = conflicting(db.sql, 1, () => pgError('42P01', 'relation "decisions" does not exist'));
    const { policy, delaysMs } = recordingPolicy(5);
    const error = await writeCycle(wrapped.sql, cycle({ cluster: 'x', atMs: T0 }), { retry: policy }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error, 'STORE_SCHEMA')).toBe(true);
    expect(delaysMs).toEqual([]);
  });
});

describe('real serialization failures on Postgres under snapshot isolation (as on DSQL)', () => {
  test('a transaction whose row changed under it gets 40001 from the server, is re-run and commits', async () => {
    const db = await openPostgres({ connection: { default_transaction_isolation: 'repeatable read' } });
    cleanups.push(db);
    await writeCycle(db.sql, cycle({ cluster: 'ser', atMs: T0 }));
    const { policy, delaysMs } = recordingPolicy(5);
    let attempts = 0;
    const result = await inTransaction({
      sql: db.sql,
      what: 'test update',
      policy,
      run: async (tx) => {
        attempts++;
        await tx`SELECT last_seen_at FROM clusters WHERE name = 'ser'`;
        // Another session commits a change to the same row after our snapshot was taken.
        if (attempts === 1) await db.sql`UPDATE clusters SET last_seen_at = now() WHERE name = 'ser'`;
        await tx`UPDATE clusters SET first_seen_at = first_seen_at WHERE name = 'ser'`;
        return attempts;
      },
    });
    expect(result).toBe(2);
    expect(delaysMs).toHaveLength(1);
  });

  test('twenty concurrent cycles of one cluster all land; the retries are counted', async () => {
    const db = await openPostgres({ connection: { default_transaction_isolation: 'repeatable read' } });
    cleanups.push(db);
    const { policy, delaysMs } = recordingPolicy(20);
    const times = Array.from({ length: 20 }, (_, i) => T0 + i * 30_000);
    const results = await Promise.all(
      times.map((atMs) => writeCycle(db.sql, cycle({ cluster: 'stress', atMs }), { retry: policy })),
    );
    expect(results.every((r) => r.inserted)).toBe(true);
    const page = await listDecisions(db.sql, { cluster: 'stress', startMs: T0, endMs: T0 + 3_600_000, limit: 50 });
    expect(page.items).toHaveLength(20);
    console.info(`serialization retries for 20 concurrent cycles under repeatable read: ${delaysMs.length}`);
  });
});

test('backoff is full jitter: in [0, min(max, base * 2^(attempt-1)))', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 1_000 }),
      fc.integer({ min: 1, max: 60_000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, baseDelayMs, maxDelayMs, r) => {
        const delay = backoffDelayMs({ baseDelayMs, maxDelayMs, random: () => r }, attempt);
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        return Number.isInteger(delay) && delay >= 0 && (delay < ceiling || delay === 0);
      },
    ),
    { numRuns: 500 },
  );
});
