import { afterAll, expect, test } from 'bun:test';
import { createApi } from '../src/api/index.ts';
import { loadConfig } from '../src/config.ts';
import { AppError } from '../src/models/index.ts';
import { openPostgres } from './db/backends.ts';

/** COPILOT_API_TOKEN must be sendable as `Authorization: Bearer <token>` (RFC 6750 §2.1 b64token), or start fails. */

const db = await openPostgres();
afterAll(() => db.close());

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? [error.code, error.message] : error;
  }
  return 'no error';
}

const CHARSET = 'the bearer token may use only letters, digits and - . _ ~ + / (then trailing =), as RFC 6750 allows';

test.each([
  ['a space', 'abcdefgh ijklmnop'],
  ['a quote', 'abcdefgh"ijklmnop'],
  ['a comma', 'abcdefgh,ijklmnop'],
  ['non-ASCII', 'abcdefghijklmnö12'],
  ['= inside', 'abcdefgh=ijklmnop'],
  ['a colon', 'abcdefgh:ijklmnop'],
])('a token with %s is CONFIG_INVALID at start, from the config and from createApi', (_what, token) => {
  expect(caught(() => loadConfig({ HOME: '/h', COPILOT_API_TOKEN: token }))).toEqual([
    'CONFIG_INVALID',
    `COPILOT_API_TOKEN: ${CHARSET}`,
  ]);
  expect(caught(() => createApi({ sql: db.sql, staleAfterMs: 60_000, bearerToken: token }))).toEqual([
    'CONFIG_INVALID',
    `api: ${CHARSET}`,
  ]);
});

test.each(['abcdefghijklmnop', 'A1-._~+/A1-._~+/', 'dGhpcyBpcyBhIHRva2Vu=='])(
  '%s is accepted and works as a bearer token',
  async (token) => {
    expect(loadConfig({ HOME: '/h', COPILOT_API_TOKEN: token }).api.bearerToken).toBe(token);
    const api = createApi({ sql: db.sql, staleAfterMs: 60_000, bearerToken: token, log: () => {} });
    await api.refresh();
    const status = async (authorization: string) =>
      (await api.fetch(new Request('http://test/clusters', { headers: { authorization } }))).status;
    expect([await status(`Bearer ${token}`), await status(`Bearer ${token}x`)]).toEqual([200, 401]);
  },
);

test('a short token is still refused for its length', () => {
  expect(caught(() => createApi({ sql: db.sql, staleAfterMs: 60_000, bearerToken: 'short' }))).toEqual([
    'CONFIG_INVALID',
    'api: the bearer token needs 16+ characters',
  ]);
});
