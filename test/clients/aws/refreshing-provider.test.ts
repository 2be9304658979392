import { describe, expect, test } from 'bun:test';
import type { AwsCredentials } from '../../../src/clients/aws/index.ts';
import { createRefreshingProvider, staticProvider } from '../../../src/clients/aws/index.ts';
import { AppError } from '../../../src/models/index.ts';

const HOUR_MS = 3_600_000;
const T0 = Date.parse('2026-05-01T12:00:00Z');

function creds(id: string, expirationMs: number): AwsCredentials {
  return { accessKeyId: id, secretAccessKey: `secret-${id}`, sessionToken: `token-${id}`, expirationMs };
}

/** Waits (bounded, no timers) until the provider hands out the wanted key: background refreshes settle in microtasks. */
async function settle(provider: () => Promise<AwsCredentials>, accessKeyId: string): Promise<AwsCredentials> {
  let last = await provider();
  for (let i = 0; i < 50 && last.accessKeyId !== accessKeyId; i += 1) {
    await Promise.resolve();
    last = await provider();
  }
  return last;
}

describe('createRefreshingProvider', () => {
  test('caches until the refresh window, then refreshes in the background while serving the old credentials', async () => {
    let nowMs = T0;
    let loads = 0;
    const provider = createRefreshingProvider({
      clock: () => nowMs,
      load: async () => {
        loads += 1;
        return creds(`v${loads}`, nowMs + HOUR_MS);
      },
    });
    expect((await provider()).accessKeyId).toBe('v1');
    nowMs = T0 + 54 * 60_000;
    expect((await provider()).accessKeyId).toBe('v1');
    expect(loads).toBe(1);
    nowMs = T0 + 56 * 60_000;
    expect((await provider()).accessKeyId).toBe('v1');
    expect(loads).toBe(2);
    expect((await settle(provider, 'v2')).accessKeyId).toBe('v2');
    expect(loads).toBe(2);
  });

  test('concurrent callers share one load', async () => {
    let loads = 0;
    const gate = Promise.withResolvers<void>();
    const provider = createRefreshingProvider({
      clock: () => T0,
      load: async () => {
        loads += 1;
        await gate.promise;
        return creds('shared', T0 + HOUR_MS);
      },
    });
    const callers = Array.from({ length: 20 }, () => provider());
    gate.resolve();
    const results = await Promise.all(callers);
    expect(loads).toBe(1);
    expect(new Set(results.map((r) => r.accessKeyId))).toEqual(new Set(['shared']));
  });

  test('a failed refresh keeps serving unexpired credentials and retries after a back-off', async () => {
    let nowMs = T0;
    let loads = 0;
    let failing = false;
    const provider = createRefreshingProvider({
      clock: () => nowMs,
      retryAfterFailureMs: 10_000,
      load: async () => {
        loads += 1;
        if (failing) throw new Error('endpoint down');
        return creds(`v${loads}`, T0 + HOUR_MS);
      },
    });
    await provider();
    failing = true;
    nowMs = T0 + 58 * 60_000;
    for (let i = 0; i < 5; i += 1) expect((await provider()).accessKeyId).toBe('v1');
    await Promise.resolve();
    expect(loads).toBe(2);
    nowMs += 11_000;
    expect((await provider()).accessKeyId).toBe('v1');
    expect(loads).toBe(3);
    failing = false;
    nowMs += 11_000;
    await provider();
    expect((await settle(provider, 'v4')).accessKeyId).toBe('v4');
  });

  test('past expiry a failing load is thrown as CREDENTIALS_UNAVAILABLE', async () => {
    let nowMs = T0;
    let fail = false;
    const provider = createRefreshingProvider({
      clock: () => nowMs,
      load: async () => {
        if (fail) throw new Error('connection refused');
        return creds('v1', T0 + HOUR_MS);
      },
    });
    await provider();
    fail = true;
    nowMs = T0 + HOUR_MS + 1;
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CREDENTIALS_UNAVAILABLE');
    expect((error as AppError).message).toContain('connection refused');
  });

  test('already-expired credentials from the source are refused', async () => {
    const provider = createRefreshingProvider({ clock: () => T0, load: async () => creds('old', T0 - 1) });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CREDENTIALS_UNAVAILABLE');
  });

  test('static credentials with a past expiration are refused', async () => {
    const provider = staticProvider(creds('env', T0 - 1), () => T0);
    expect((await provider().catch((e: unknown) => e)) as AppError).toMatchObject({ code: 'CREDENTIALS_UNAVAILABLE' });
  });
});
