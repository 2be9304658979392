import { DsqlSigner, type DsqlSignerConfig } from '@aws-sdk/dsql-signer';
import postgres from 'postgres';
import type { StoreConfig } from '../models/index.ts';
import { ensureEmbeddedServer } from './embedded.ts';
import { toStoreError } from './errors.ts';
import type { Dialect } from './schema.ts';

/** An open store: the pool plus how to close it (and the embedded server, when this process owns it). */
export interface Store {
  sql: postgres.Sql;
  dialect: Dialect;
  kind: StoreConfig['kind'];
  /** Host:port (no credentials) for messages. */
  target: string;
  close(): Promise<void>;
}

export interface DsqlConnectionInput {
  endpoint: string;
  region: string;
  /** `admin` uses the DbConnectAdmin action; any other role DbConnect. */
  user: string;
  /** Defaults to the AWS SDK's default chain (env, ECS, web identity, profile). */
  credentials?: DsqlSignerConfig['credentials'];
  /** Seconds a token is valid for; it is only checked when a connection opens. @default 900 */
  tokenExpiresInSec?: number;
  /** @default 10 */
  max?: number;
  random?: () => number;
}

/** DSQL closes connections at 60 minutes; recycle between 45 and 55. */
export const DSQL_LIFETIME_MIN_SEC = 45 * 60;
export const DSQL_LIFETIME_SPREAD_SEC = 10 * 60;

const silent = () => {};

/**
 * postgres.js options for Aurora DSQL: verified TLS, an IAM token minted for every new connection (postgres.js calls
 * `password` on each authentication), and a lifetime under DSQL's 60-minute cap. The lifetime is one random value per
 * pool: postgres.js fixes a connection slot's lifetime when the pool is built, so a per-pool value spreads recycling
 * across processes, which is where reconnect storms would come from.
 * @see reference: aws-protocols.md §6
 */
export function dsqlConnectionOptions(
  input: DsqlConnectionInput,
): postgres.Options<Record<string, postgres.PostgresType>> {
  const signer = new DsqlSigner({
    hostname: input.endpoint,
    region: input.region,
    expiresIn: input.tokenExpiresInSec ?? 900,
    ...(input.credentials ? { credentials: input.credentials } : {}),
  });
  const random = input.random ?? Math.random;
  return {
    host: input.endpoint,
    port: 5432,
    database: 'postgres',
    username: input.user,
    password: () => (input.user === 'admin' ? signer.getDbConnectAdminAuthToken() : signer.getDbConnectAuthToken()),
    ssl: { rejectUnauthorized: true },
    max: input.max ?? 10,
    idle_timeout: 300,
    connect_timeout: 30,
    max_lifetime: Math.round(DSQL_LIFETIME_MIN_SEC + random() * DSQL_LIFETIME_SPREAD_SEC),
    onnotice: silent,
  };
}

/** Pool options for a plain Postgres URL. */
export function postgresConnectionOptions(): postgres.Options<Record<string, postgres.PostgresType>> {
  return {
    max: 10,
    idle_timeout: 300,
    connect_timeout: 30,
    onnotice: silent,
    // DSQL runs every transaction at snapshot isolation (REPEATABLE READ) and reports races as 40001, which the
    // repository retries. Plain Postgres defaults to READ COMMITTED, where read-then-write steps (settling open
    // issues) race silently and leave duplicates; the same isolation makes both stores behave alike.
    connection: { default_transaction_isolation: 'repeatable read' },
  };
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}

/**
 * Open the configured store and check that it answers. The embedded kind starts (or joins) the PGlite wire server.
 * @throws AppError STORE_UNAVAILABLE (unreachable, wrong endpoint), AUTH_FAILED (bad or expired credentials)
 */
export async function openStore(
  store: StoreConfig,
  deps: { credentials?: DsqlSignerConfig['credentials'] } = {},
): Promise<Store> {
  let sql: postgres.Sql;
  let dialect: Dialect = 'postgres';
  let target: string;
  let stopServer = async () => {};
  switch (store.kind) {
    case 'postgres':
      sql = postgres(store.url, postgresConnectionOptions());
      target = describeUrl(store.url);
      break;
    case 'dsql':
      sql = postgres(
        dsqlConnectionOptions({
          endpoint: store.endpoint,
          region: store.region,
          user: store.user,
          ...(deps.credentials ? { credentials: deps.credentials } : {}),
        }),
      );
      dialect = 'dsql';
      target = `${store.endpoint}:5432 as ${store.user}`;
      break;
    case 'embedded': {
      const server = await ensureEmbeddedServer({ dataDir: store.dataDir, port: store.port });
      sql = postgres({
        host: server.host,
        port: server.port,
        username: 'postgres',
        database: 'postgres',
        max: 1,
        onnotice: silent,
      });
      stopServer = () => server.close();
      target = `embedded ${store.dataDir} on ${server.host}:${server.port}`;
      break;
    }
    default: {
      const unreachable: never = store;
      throw new Error(`unknown store kind ${JSON.stringify(unreachable)}`);
    }
  }
  const close = async () => {
    await sql.end({ timeout: 5 });
    await stopServer();
  };
  try {
    await sql`SELECT 1 AS ok`;
  } catch (error) {
    await close();
    throw toStoreError(error, `connect to ${target}`);
  }
  return { sql, dialect, kind: store.kind, target, close };
}
