import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultCredentialProvider, resolveCredentialChain } from '../../../src/clients/aws/index.ts';
import { AppError } from '../../../src/models/index.ts';

const T0 = Date.parse('2026-05-01T12:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'copilot-creds-'));
const hits = new Map<string, number>();
const seenAuthorization: string[] = [];
const stsForms: URLSearchParams[] = [];
let issued = 0;
/** Expiry the rotating endpoint hands out, moved forward by the test that rotates. */
let rotatingExpiryMs = T0 + 3_600_000;

function containerBody(expirationMs: number) {
  issued += 1;
  return {
    AccessKeyId: `ASIACONTAINER${issued}`,
    SecretAccessKey: `secret${issued}`,
    Token: `token${issued}`,
    Expiration: new Date(expirationMs).toISOString(),
    RoleArn: 'arn:aws:iam::123456789012:role/copilot',
  };
}

const STS_OK = (n: number) => `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:copilot:worker</SubjectFromWebIdentityToken>
    <Credentials>
      <SessionToken>IQoJb3JpZ2luX2VjE&amp;token${n}==</SessionToken>
      <SecretAccessKey>wJalr&lt;secret&gt;${n}</SecretAccessKey>
      <Expiration>2026-05-01T13:00:00Z</Expiration>
      <AccessKeyId>ASIAWEBIDENTITY${n}</AccessKeyId>
    </Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/copilot/s</Arn></AssumedRoleUser>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`;

const STS_ERROR = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Token expired</Message></Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>`;

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(request) {
    const url = new URL(request.url);
    const count = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, count);
    seenAuthorization.push(request.headers.get('authorization') ?? '');
    switch (url.pathname) {
      case '/v2/credentials/task-uuid':
        return Response.json(containerBody(T0 + 3_600_000));
      case '/full/authorized':
        if (request.headers.get('authorization') !== 'Bearer s3cr3t-agent-token') {
          return Response.json({ Code: 'AccessDenied', Message: 'bad token' }, { status: 403 });
        }
        return Response.json(containerBody(T0 + 3_600_000));
      case '/full/any-token':
        return Response.json(containerBody(rotatingExpiryMs));
      case '/full/flaky':
        return count === 1 ? new Response('oops', { status: 500 }) : Response.json(containerBody(T0 + 3_600_000));
      case '/full/garbage':
        return new Response('{"AccessKeyId": "x", "Secret', { headers: { 'content-type': 'application/json' } });
      case '/full/incomplete':
        return Response.json({ AccessKeyId: 'x', SecretAccessKey: 'y', Expiration: '2026-05-01T13:00:00Z' });
      case '/full/expired':
        return Response.json(containerBody(T0 - 1000));
      case '/full/denied':
        return Response.json({ Code: 'AccessDenied', Message: 'nope' }, { status: 403 });
      case '/sts/ok':
      case '/sts/bad': {
        stsForms.push(new URLSearchParams(await request.text()));
        if (url.pathname === '/sts/bad') return new Response(STS_ERROR, { status: 400 });
        return new Response(STS_OK(count), { headers: { 'content-type': 'text/xml' } });
      }
      default:
        return new Response('not found', { status: 404 });
    }
  },
});
const base = `http://127.0.0.1:${server.port}`;
const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
const closedBase = `http://127.0.0.1:${closed.port}`;
closed.stop(true);

afterAll(() => {
  server.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('environment credentials', () => {
  test('keys and session token', async () => {
    const chain = resolveCredentialChain({
      env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'tok' },
    });
    expect(chain.source).toBe('environment');
    expect(await chain.provider()).toEqual({ accessKeyId: 'AKIAENV', secretAccessKey: 'secret', sessionToken: 'tok' });
  });

  test('half a key pair is a configuration error at construction', () => {
    expect(() => createDefaultCredentialProvider({ env: { AWS_ACCESS_KEY_ID: 'AKIAENV' } })).toThrow(AppError);
  });

  test('nothing configured: the provider says what to set', async () => {
    const chain = resolveCredentialChain({ env: {} });
    expect(chain.source).toBe('none');
    expect((await failure(chain.provider())).code).toBe('CREDENTIALS_UNAVAILABLE');
  });
});

describe('ECS / container credentials', () => {
  test('relative URI against an injected base', async () => {
    const chain = resolveCredentialChain({
      env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/task-uuid' },
      containerBaseUrl: base,
      clock: () => T0,
    });
    expect(chain.source).toBe('container');
    const creds = await chain.provider();
    expect(creds.accessKeyId).toStartWith('ASIACONTAINER');
    expect(creds.expirationMs).toBe(T0 + 3_600_000);
    expect(creds.sessionToken).toStartWith('token');
  });

  test('full URI with a static authorization token', async () => {
    const provider = createDefaultCredentialProvider({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/full/authorized`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: 'Bearer s3cr3t-agent-token',
      },
      clock: () => T0,
    });
    expect((await provider()).accessKeyId).toStartWith('ASIACONTAINER');
  });

  test('the token file wins over the static token and is re-read on every refresh', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first-token\n');
    let nowMs = T0;
    const provider = createDefaultCredentialProvider({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/full/any-token`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: 'static-token',
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
      },
      clock: () => nowMs,
    });
    seenAuthorization.length = 0;
    const first = await provider();
    writeFileSync(tokenFile, 'rotated-token');
    nowMs = T0 + 3_600_000 + 1;
    rotatingExpiryMs = nowMs + 3_600_000;
    const second = await provider();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(seenAuthorization).toEqual(['first-token', 'rotated-token']);
  });

  test('a token with a line break is refused', async () => {
    const tokenFile = join(dir, 'bad-token');
    writeFileSync(tokenFile, 'abc\r\nX-Injected: 1');
    const provider = createDefaultCredentialProvider({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/full/any-token`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
      },
    });
    expect((await failure(provider())).message).toContain('line break');
  });

  test('a plain-http full URI to a non-loopback host is refused at construction', () => {
    expect(() =>
      createDefaultCredentialProvider({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://example.com/creds' } }),
    ).toThrow('must be https');
  });

  test('a 500 is retried, a 403 is not', async () => {
    const flaky = createDefaultCredentialProvider({
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/full/flaky` },
      clock: () => T0,
    });
    expect((await flaky()).accessKeyId).toStartWith('ASIACONTAINER');
    expect(hits.get('/full/flaky')).toBe(2);
    const denied = createDefaultCredentialProvider({
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/full/denied` },
    });
    const error = await failure(denied());
    expect(error.message).toContain('HTTP 403 (AccessDenied)');
    expect(hits.get('/full/denied')).toBe(1);
  });

  test.each([
    ['garbage JSON', '/full/garbage', 'unusable body'],
    ['missing Token', '/full/incomplete', 'unusable body'],
    ['expired credentials', '/full/expired', 'already-expired'],
  ])('%s → CREDENTIALS_UNAVAILABLE', async (_name, path, message) => {
    const provider = createDefaultCredentialProvider({
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}${path}` },
      clock: () => T0,
    });
    const error = await failure(provider());
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(error.message).toContain(message);
  });

  test('endpoint down → CREDENTIALS_UNAVAILABLE', async () => {
    const provider = createDefaultCredentialProvider({
      env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/task-uuid' },
      containerBaseUrl: closedBase,
    });
    const error = await failure(provider());
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(error.message).toContain('unreachable');
  });
});

describe('web identity (STS AssumeRoleWithWebIdentity)', () => {
  const tokenFile = join(dir, 'web-identity-token');

  test('posts the token file and reads the XML credentials', async () => {
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.payload.sig\n');
    stsForms.length = 0;
    const chain = resolveCredentialChain({
      env: {
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/copilot',
        AWS_ROLE_SESSION_NAME: 'copilot-test',
      },
      stsUrl: `${base}/sts/ok`,
      clock: () => T0,
    });
    expect(chain.source).toBe('web-identity');
    const creds = await chain.provider();
    expect(creds).toEqual({
      accessKeyId: 'ASIAWEBIDENTITY1',
      secretAccessKey: 'wJalr<secret>1',
      sessionToken: 'IQoJb3JpZ2luX2VjE&token1==',
      expirationMs: Date.parse('2026-05-01T13:00:00Z'),
    });
    expect(Object.fromEntries(stsForms[0] ?? [])).toEqual({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::123456789012:role/copilot',
      RoleSessionName: 'copilot-test',
      WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.payload.sig',
    });
  });

  test('an STS error response becomes CREDENTIALS_UNAVAILABLE naming the STS code', async () => {
    writeFileSync(tokenFile, 'expired-token');
    const provider = createDefaultCredentialProvider({
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/copilot' },
      stsUrl: `${base}/sts/bad`,
    });
    const error = await failure(provider());
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(error.message).toContain('HTTP 400 (InvalidIdentityToken)');
  });

  test('a missing token file → CREDENTIALS_UNAVAILABLE', async () => {
    const provider = createDefaultCredentialProvider({
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'absent'), AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' },
      stsUrl: `${base}/sts/ok`,
    });
    expect((await failure(provider())).message).toContain('AWS_WEB_IDENTITY_TOKEN_FILE');
  });
});
