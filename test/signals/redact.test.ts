import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { redactSecrets, sanitizeLogSample, stripControlCharacters } from '../../src/signals/redact.ts';

const upperAlnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/'.split(''));
const word = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')), { minLength: min, maxLength: max })
    .map((a) => a.join(''));

/** [the text to embed, the secret that must not survive]. */
const secretArb = fc.oneof(
  fc
    .tuple(fc.constantFrom('AKIA', 'ASIA', 'AROA'), fc.array(upperAlnum, { minLength: 16, maxLength: 16 }))
    .map(([prefix, rest]) => {
      const key = prefix + rest.join('');
      return [key, key] as const;
    }),
  fc.array(tokenChar, { minLength: 8, maxLength: 40 }).map((t) => {
    const token = `x${t.join('')}`;
    return [`Authorization: Bearer ${token}`, token] as const;
  }),
  fc.tuple(word(1, 8), word(8, 20), word(1, 10)).map(([user, password, host]) => {
    const secret = `pw${password}`;
    return [`postgres://${user}:${secret}@${host}.example.com:5432/db`, secret] as const;
  }),
  fc.tuple(word(1, 10), word(1, 10), fc.constantFrom('com', 'io', 'org')).map(([local, domain, tld]) => {
    const email = `${local}@${domain}.${tld}`;
    return [email, email] as const;
  }),
  fc
    .tuple(fc.constantFrom('password', 'api_key', 'secret', 'AWS_SECRET_ACCESS_KEY'), word(8, 30))
    .map(([key, value]) => {
      const secret = `S3${value}`;
      return [`${key}=${secret}`, secret] as const;
    }),
);
const filler = fc.string({ maxLength: 30 });

describe('redactSecrets', () => {
  test.each([
    ['AWS key id', 'creds AKIAIOSFODNN7EXAMPLE used', 'creds [REDACTED:aws-key] used'],
    ['bearer', 'authorization: Bearer abc.def-ghi', 'authorization: [REDACTED] [REDACTED]'],
    ['url password', 'dial postgres://admin:hunter22@db:5432/x failed', 'dial postgres://[REDACTED]@db:5432/x failed'],
    ['json password', '{"password":"hunter22","user":"x"}', '{"password":"[REDACTED]","user":"x"}'],
    ['email', 'sent to ops@example.com', 'sent to [REDACTED:email]'],
    ['jwt', 'session eyJhbGciOi.eyJzdWIiOiIx.sig_123', 'session [REDACTED:jwt]'],
    ['plain text stays', 'shard ownership lost for shard 42', 'shard ownership lost for shard 42'],
  ])('%s', (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  test('IPs only when asked', () => {
    expect(redactSecrets('peer 10.1.2.3:7233')).toBe('peer 10.1.2.3:7233');
    expect(redactSecrets('peer 10.1.2.3:7233', { redactIps: true })).toBe('peer [REDACTED:ip]:7233');
  });

  test('property: the embedded secret never survives, and redaction is idempotent', () => {
    fc.assert(
      fc.property(filler, secretArb, filler, (before, [embedded, secret], after) => {
        const text = `${before} ${embedded} ${after}`;
        const once = redactSecrets(text);
        expect(once).not.toContain(secret);
        expect(redactSecrets(once)).toBe(once);
        const sample = sanitizeLogSample(text);
        expect(sample).not.toContain(secret);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: idempotent on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 120 }), (text) => {
        const once = redactSecrets(text, { redactIps: true });
        expect(redactSecrets(once, { redactIps: true })).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sanitizeLogSample', () => {
  test('strips control characters and ANSI escapes, and caps the length', () => {
    expect(stripControlCharacters('a\u001b[31mred\u001b[0m\u0000b\nc\u202ed')).toBe('aredb cd');
    const long = sanitizeLogSample('x'.repeat(1000));
    expect(long.length).toBe(300);
    expect(long.endsWith('…')).toBe(true);
  });

  test('property: output is bounded and free of control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (text) => {
        const sample = sanitizeLogSample(text);
        expect(sample.length).toBeLessThanOrEqual(300);
        expect(/[\p{Cc}\p{Cf}]/u.test(sample)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
