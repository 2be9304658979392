import { parseArgs } from 'node:util';
import type postgres from 'postgres';
import { type Config, loadConfig } from '../config.ts';
import {
  migrate,
  openStore,
  pendingMigrations,
  purgeOlderThan,
  STORE_TABLES,
  type Store,
  toStoreError,
} from '../db/index.ts';
import { AppError } from '../models/index.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';

const SUBCOMMANDS = {
  'setup-schema': 'create or update the store schema (idempotent; DSQL-safe, one DDL per transaction)',
  'check-connection': 'connect, show the server and role, and whether the schema is up to date',
  'list-tables': "list the store's tables with their row counts",
  purge: 'delete rows older than the retention period, in batches of at most --batch-size rows',
} as const;
type Subcommand = keyof typeof SUBCOMMANDS;

const STORE_HELP = `The store comes from the environment: DATABASE_URL (Postgres), DSQL_ENDPOINT + AWS_REGION
(Aurora DSQL with IAM tokens; DSQL_USER, default admin), or neither (embedded PGlite in COPILOT_DATA_DIR).`;

const HELP = `usage: bun run copilot db <subcommand> [options]

subcommands:
${Object.entries(SUBCOMMANDS)
  .map(([name, summary]) => `  ${name.padEnd(17)} ${summary}`)
  .join('\n')}

Run 'bun run copilot db <subcommand> --help' for its options.
${STORE_HELP}
`;

const SUB_HELP: Record<Subcommand, string> = {
  'setup-schema': `usage: bun run copilot db setup-schema [--format text|json]

Applies every pending migration; running it again prints "schema up to date".
${STORE_HELP}
`,
  'check-connection': `usage: bun run copilot db check-connection [--format text|json]

Exits 1 with STORE_UNAVAILABLE (unreachable or wrong endpoint), AUTH_FAILED (bad or expired credentials,
missing permission) or STORE_SCHEMA.
${STORE_HELP}
`,
  'list-tables': `usage: bun run copilot db list-tables [--format text|json]
${STORE_HELP}
`,
  purge: `usage: bun run copilot db purge [--older-than-days N] [--dry-run] [--batch-size N] [--format text|json]

  --older-than-days N  delete rows older than N days (default COPILOT_RETENTION_DAYS, 7)
  --dry-run            count what would be deleted, delete nothing
  --batch-size N       rows per transaction, 1..2500 (default 1000; DSQL allows 3,000)
${STORE_HELP}
`,
};

export interface DbCommandDeps {
  loadConfig: () => Readonly<Config>;
  /** Epoch ms, for the purge cutoff. */
  now?: () => number;
}

type Format = 'text' | 'json';

function isSubcommand(name: string): name is Subcommand {
  return Object.hasOwn(SUBCOMMANDS, name);
}

function isFormat(value: string): value is Format {
  return value === 'text' || value === 'json';
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new AppError('INVALID_INPUT', `${flag} must be a positive integer, got ${value}`, {
      problems: { [flag]: ['must be a positive integer'] },
    });
  }
  return n;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        format: { type: 'string' },
        'older-than-days': { type: 'string' },
        'batch-size': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new AppError('INVALID_INPUT', `${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
}

/** The `copilot db` command; `deps` lets tests point it at their own configuration. */
export function createDbCommand(deps: DbCommandDeps): Command {
  return {
    name: 'db',
    summary: 'state store: setup-schema | check-connection | list-tables | purge',
    async run(argv: readonly string[], io: CliIo): Promise<number> {
      const { values, positionals } = parse(argv);
      const [name, ...extra] = positionals;
      if (name === undefined) {
        io.out(HELP);
        return values.help ? EXIT.ok : EXIT.usage;
      }
      if (!isSubcommand(name)) throw new AppError('INVALID_INPUT', `unknown db subcommand '${name}' (see --help)`);
      const sub = name;
      if (values.help) {
        io.out(SUB_HELP[sub]);
        return EXIT.ok;
      }
      if (extra.length > 0) throw new AppError('INVALID_INPUT', `unexpected argument '${extra.join(' ')}'`);
      if (sub !== 'purge' && (values['dry-run'] || values['older-than-days'] || values['batch-size'])) {
        throw new AppError('INVALID_INPUT', `--dry-run, --older-than-days and --batch-size only apply to purge`);
      }
      const format = values.format ?? 'text';
      if (!isFormat(format)) throw new AppError('INVALID_INPUT', '--format must be text or json');
      const config = deps.loadConfig();
      const store = await openStore(config.store);
      try {
        const input = { store, io, format, values, config, now: deps.now ?? Date.now };
        switch (sub) {
          case 'setup-schema':
            return await setupSchema(input);
          case 'check-connection':
            return await checkConnection(input);
          case 'list-tables':
            return await listTables(input);
          case 'purge':
            return await purge(input);
          default: {
            const unreachable: never = sub;
            throw new Error(`unhandled subcommand ${String(unreachable)}`);
          }
        }
      } finally {
        await store.close();
      }
    },
  };
}

interface RunInput {
  store: Store;
  io: CliIo;
  format: Format;
  values: ReturnType<typeof parse>['values'];
  config: Readonly<Config>;
  now: () => number;
}

function emit(input: RunInput, json: unknown, text: string): number {
  input.io.out(input.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);
  return EXIT.ok;
}

async function setupSchema(input: RunInput): Promise<number> {
  const { applied } = await migrate(input.store.sql, { dialect: input.store.dialect });
  const text =
    applied.length === 0
      ? `schema up to date (${input.store.target})\n`
      : `applied ${applied.length} migration(s) on ${input.store.target}:\n${applied.map((v) => `  ${v}\n`).join('')}`;
  return emit(input, { target: input.store.target, applied, up_to_date: applied.length === 0 }, text);
}

async function checkConnection(input: RunInput): Promise<number> {
  const { sql, target, dialect } = input.store;
  let server: string;
  let role: string;
  try {
    const rows = await sql`SELECT current_user AS role, current_setting('server_version') AS version`;
    role = String(rows[0]?.['role']);
    server = String(rows[0]?.['version']);
  } catch (error) {
    throw toStoreError(error, `query ${target}`);
  }
  const pending = await pendingMigrations(sql);
  const schema =
    pending === null
      ? "not set up (run 'bun run copilot db setup-schema')"
      : pending.length === 0
        ? 'up to date'
        : `${pending.length} migration(s) pending (run 'bun run copilot db setup-schema')`;
  const text = `ok: connected to ${target}\n  server: ${server} (${dialect})\n  role: ${role}\n  schema: ${schema}\n`;
  return emit(input, { ok: true, target, server, dialect, role, pending }, text);
}

async function countRows(sql: postgres.Sql, table: string): Promise<number> {
  const rows = await sql`SELECT count(*) AS n FROM ${sql(table)}`;
  return Number(rows[0]?.['n']);
}

async function listTables(input: RunInput): Promise<number> {
  const { sql, target } = input.store;
  const tables: { table: string; rows: number }[] = [];
  try {
    const present = await sql`SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() ORDER BY table_name`;
    for (const row of present) {
      const table = String(row['table_name']);
      if (STORE_TABLES.includes(table)) tables.push({ table, rows: await countRows(sql, table) });
    }
  } catch (error) {
    throw toStoreError(error, `list tables on ${target}`);
  }
  const width = Math.max(5, ...tables.map((t) => t.table.length));
  const text =
    tables.length === 0
      ? `no store tables on ${target} (run 'bun run copilot db setup-schema')\n`
      : `${'table'.padEnd(width)}  rows\n${tables.map((t) => `${t.table.padEnd(width)}  ${t.rows}`).join('\n')}\n`;
  return emit(input, { target, tables }, text);
}

async function purge(input: RunInput): Promise<number> {
  const days = positiveInt(input.values['older-than-days'], '--older-than-days', input.config.retentionDays);
  const batchSize = positiveInt(input.values['batch-size'], '--batch-size', 1_000);
  const dryRun = input.values['dry-run'] ?? false;
  const cutoffMs = input.now() - days * 86_400_000;
  input.io.err(
    `${dryRun ? 'counting' : 'purging'} rows older than ${days} day(s) (before ${new Date(cutoffMs).toISOString()})\n`,
  );
  const report = await purgeOlderThan(input.store.sql, {
    cutoffMs,
    batchSize,
    dryRun,
    onProgress: (p) => {
      if (!p.done) input.io.err(`  ${p.table}: ${p.rows} row(s) deleted in ${p.batches} batch(es)\n`);
    },
  });
  const verb = dryRun ? 'would delete' : 'deleted';
  const total = report.tables.reduce((sum, t) => sum + t.rows, 0);
  const text = `${report.tables.map((t) => `${t.table}: ${verb} ${t.rows}`).join('\n')}\ntotal: ${verb} ${total} row(s)\n`;
  return emit(input, report, text);
}

/** `copilot db`, configured from the environment. */
export const dbCommand: Command = createDbCommand({ loadConfig: () => loadConfig() });
