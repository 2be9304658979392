import { describe, expect, test } from 'bun:test';
import { LOG_SIGNATURES, matchesSignature } from '../../src/signals/log-signatures.ts';
import { INVENTED_TEXTS, REAL_LOG_LINES } from '../fixtures/log-lines.ts';

describe('every log signature matches a line Temporal really logs', () => {
  test.each(LOG_SIGNATURES.map((signature) => [signature.id, signature] as const))('%s', (id, signature) => {
    const lines = REAL_LOG_LINES.filter((real) => real.signature === id);
    expect(lines.length).toBeGreaterThan(0);
    for (const real of lines) expect(matchesSignature(signature, real.line.toLowerCase())).toBe(true);
  });

  test('every recorded real line names its source and belongs to a signature that exists', () => {
    const ids = new Set(LOG_SIGNATURES.map((signature) => signature.id));
    for (const real of REAL_LOG_LINES) {
      expect(ids.has(real.signature)).toBe(true);
      expect(real.source.length).toBeGreaterThan(5);
    }
  });

  test('no signature still searches for a text nothing logs', () => {
    for (const text of INVENTED_TEXTS) {
      const lower = text.toLowerCase();
      const hits = LOG_SIGNATURES.filter((signature) => matchesSignature(signature, lower)).map((s) => s.id);
      expect({ text, hits }).toEqual({ text, hits: [] });
    }
  });
});
