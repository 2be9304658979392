import { afterEach, expect, setSystemTime, test } from 'bun:test';
import postgres from 'postgres';
import { DSQL_LIFETIME_MIN_SEC, DSQL_LIFETIME_SPREAD_SEC, dsqlConnectionOptions } from '../../src/db/connect.ts';
import { TEST_DATABASE_URL } from './backends.ts';

const ENDPOINT = 'abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

afterEach(() => {
  setSystemTime();
});

async function token(options: postgres.Options<Record<string, postgres.PostgresType>>): Promise<URL> {
  const password = options.password;
  if (typeof password !== 'function') throw new Error('password must be a function (a token per connection)');
  const text = await password();
  // The token is a presigned URL without its scheme.
  return new URL(`https://${text}`);
}

test('DSQL pool options: verified TLS, database postgres, lifetime jittered between 45 and 55 minutes', () => {
  const options = dsqlConnectionOptions({
    endpoint: ENDPOINT,
    region: 'us-east-1',
    user: 'admin',
    credentials,
    random: () => 0.5,
  });
  expect({ ...options, password: typeof options.password }).toEqual({
    host: ENDPOINT,
    port: 5432,
    database: 'postgres',
    username: 'admin',
    password: 'function',
    ssl: { rejectUnauthorized: true },
    max: 10,
    idle_timeout: 300,
    connect_timeout: 30,
    max_lifetime: DSQL_LIFETIME_MIN_SEC + DSQL_LIFETIME_SPREAD_SEC / 2,
    onnotice: expect.any(Function),
  });
  const low = dsqlConnectionOptions({
    endpoint: ENDPOINT,
    region: 'us-east-1',
    user: 'admin',
    credentials,
    random: () => 0,
  });
  const high = dsqlConnectionOptions({
    endpoint: ENDPOINT,
    region: 'us-east-1',
    user: 'admin',
    credentials,
    random: () => 0.999999,
  });
  expect(low.max_lifetime).toBe(45 * 60);
  expect(high.max_lifetime).toBe(55 * 60);
});

test('admin tokens are presigned DbConnectAdmin URLs valid 15 minutes, minted fresh for each connection', async () => {
  const options = dsqlConnectionOptions({ endpoint: ENDPOINT, region: 'us-east-1', user: 'admin', credentials });
  setSystemTime(new Date('2024-05-01T10:00:00Z'));
  const first = await token(options);
  setSystemTime(new Date('2024-05-01T10:20:00Z'));
  const second = await token(options);

  expect(first.host).toBe(ENDPOINT);
  expect(first.pathname).toBe('/');
  const params = Object.fromEntries(first.searchParams);
  expect(params).toEqual({
    Action: 'DbConnectAdmin',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': 'AKIDEXAMPLE/20240501/us-east-1/dsql/aws4_request',
    'X-Amz-Date': '20240501T100000Z',
    'X-Amz-Expires': '900',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  expect(second.searchParams.get('X-Amz-Date')).toBe('20240501T102000Z');
  expect(second.searchParams.get('X-Amz-Signature')).not.toBe(first.searchParams.get('X-Amz-Signature'));
});

test('custom roles sign DbConnect, and session credentials carry their token', async () => {
  const options = dsqlConnectionOptions({
    endpoint: ENDPOINT,
    region: 'eu-west-1',
    user: 'copilot_app',
    credentials: { ...credentials, sessionToken: 'session-token-example' },
  });
  const url = await token(options);
  expect(url.searchParams.get('Action')).toBe('DbConnect');
  expect(url.searchParams.get('X-Amz-Credential')).toContain('/eu-west-1/dsql/aws4_request');
  expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session-token-example');
});

test('postgres.js asks the password function again for every new connection (real Postgres, password auth)', async () => {
  const url = new URL(TEST_DATABASE_URL);
  let asked = 0;
  const sql = postgres({
    host: url.hostname,
    port: Number(url.port || 5432),
    database: url.pathname.slice(1),
    username: decodeURIComponent(url.username),
    password: async () => {
      asked++;
      return decodeURIComponent(url.password);
    },
    max: 3,
    onnotice: () => {},
  });
  try {
    // Three concurrent transactions need three connections.
    const { promise: release, resolve } = Promise.withResolvers<void>();
    let open = 0;
    const { promise: allOpen, resolve: opened } = Promise.withResolvers<void>();
    const work = Array.from({ length: 3 }, () =>
      sql.begin(async (tx) => {
        await tx`SELECT 1`;
        if (++open === 3) opened();
        await release;
      }),
    );
    await allOpen;
    resolve();
    await Promise.all(work);
    expect(asked).toBe(3);
  } finally {
    await sql.end();
  }
});
