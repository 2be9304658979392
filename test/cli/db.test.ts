import { afterAll, describe, expect, test } from 'bun:test';
import { createDbCommand } from '../../src/cli/db.ts';
import { formatError } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';
import { MIGRATIONS, writeCycle } from '../../src/db/index.ts';
import { isAppError } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { cycle } from '../db/fixtures.ts';

const db = await openPostgres({ migrate: false });
afterAll(() => db.close());

const NOW = Date.UTC(2024, 6, 1);

function run(argv: string[], env: Record<string, string> = { DATABASE_URL: db.url }) {
  const out: string[] = [];
  const err: string[] = [];
  const command = createDbCommand({ loadConfig: () => loadConfig(env), now: () => NOW });
  const io = { readStdin: async () => '', out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  return command.run(argv, io).then(
    (code) => ({ code, out: out.join(''), err: err.join(''), error: null as unknown }),
    (error: unknown) => ({ code: null, out: out.join(''), err: err.join(''), error }),
  );
}

describe('copilot db', () => {
  test.each(['setup-schema', 'check-connection', 'list-tables', 'purge'])('%s --help', async (sub) => {
    const result = await run([sub, '--help'], {});
    expect(result.code).toBe(0);
    expect(result.out).toStartWith(`usage: bun run copilot db ${sub}`);
  });

  test('without a subcommand it prints usage and exits 2', async () => {
    const result = await run([], {});
    expect(result.code).toBe(2);
    expect(result.out).toContain('setup-schema');
  });

  test('setup-schema applies the migrations once; the second run says the schema is up to date', async () => {
    const check = await run(['check-connection']);
    expect(check.out).toContain('schema: not set up');
    const first = await run(['setup-schema']);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`applied ${MIGRATIONS.length} migration(s)`);
    const second = await run(['setup-schema']);
    expect(second.out).toStartWith('schema up to date');
    const json = await run(['setup-schema', '--format', 'json']);
    expect(JSON.parse(json.out)).toMatchObject({ applied: [], up_to_date: true });
  });

  test('check-connection and list-tables describe the store', async () => {
    await run(['setup-schema']);
    await writeCycle(db.sql, cycle({ cluster: 'cli', atMs: NOW - 30 * 86_400_000 }));
    await writeCycle(db.sql, cycle({ cluster: 'cli', atMs: NOW - 1_000 }));
    const check = await run(['check-connection']);
    expect(check.out).toMatch(/^ok: connected to 127\.0\.0\.1:5432\/copilot_test\n {2}server: \d+/);
    expect(check.out).toContain('schema: up to date');
    const tables = await run(['list-tables', '--format', 'json']);
    expect(JSON.parse(tables.out).tables).toContainEqual({ table: 'decisions', rows: 2 });
    const text = await run(['list-tables']);
    expect(text.out).toMatch(/^decisions\s+2$/m);
  });

  test('purge --dry-run counts, purge deletes in batches with progress on stderr', async () => {
    await run(['setup-schema']);
    const dry = await run(['purge', '--older-than-days', '7', '--dry-run']);
    expect(dry.out).toContain('decisions: would delete 1');
    expect(dry.err).toContain('counting rows older than 7 day(s)');
    const real = await run(['purge', '--batch-size', '1']);
    expect(real.err).toContain('decisions: 1 row(s) deleted in 1 batch(es)');
    expect(real.out).toContain('total: deleted 2 row(s)');
    const after = await run(['list-tables', '--format', 'json']);
    expect(JSON.parse(after.out).tables).toContainEqual({ table: 'decisions', rows: 1 });
  });

  test('bad flags are usage errors', async () => {
    for (const argv of [
      ['purge', '--older-than-days', 'x'],
      ['list-tables', '--dry-run'],
      ['nope'],
      ['purge', '--wat'],
    ]) {
      const result = await run(argv);
      expect(isAppError(result.error, 'INVALID_INPUT')).toBe(true);
    }
  });

  test('a wrong endpoint and a wrong password fail with clear errors', async () => {
    const refused = await run(['check-connection'], { DATABASE_URL: 'postgres://postgres:x@127.0.0.1:1/copilot_test' });
    expect(formatError(refused.error)).toStartWith('error STORE_UNAVAILABLE: connect to 127.0.0.1:1/copilot_test');
    const unknownHost = await run(['check-connection'], { DATABASE_URL: 'postgres://u:p@no-such-host.invalid/db' });
    expect(formatError(unknownHost.error)).toContain('cannot resolve the database host');
    const wrong = new URL(db.url);
    wrong.password = 'wrong';
    const denied = await run(['check-connection'], { DATABASE_URL: wrong.toString() });
    expect(formatError(denied.error)).toContain('error AUTH_FAILED');
    expect(formatError(denied.error)).toContain('28P01');
  });
});
