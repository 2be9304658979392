import { describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { thresholdKeyOf } from '../../.ci/docs/rules.ts';
import { driftedDocs, generatedDocs } from '../../.ci/gen-docs.ts';
import { CRITICAL_RULES, HEALTHY_RULES, RECOVERY_RULES, STRESSED_RULES } from '../../src/health/rules.ts';
import { getThresholdProfile } from '../../src/health/thresholds.ts';
import { ApiError, StatusResponse } from '../../src/models/index.ts';
import { SIGNAL_CATALOG } from '../../src/signals/index.ts';
import { runProcess } from '../support/run-process.ts';

const ROOT = resolve(import.meta.dir, '..', '..');
const RULES = [...CRITICAL_RULES, ...RECOVERY_RULES, ...STRESSED_RULES, ...HEALTHY_RULES];

/** A temporary checkout holding exactly the generated files, as a clean `bun run docs` leaves them. */
function tempCopy(): { root: string; [Symbol.dispose]: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'copilot-docs-'));
  for (const doc of generatedDocs()) {
    mkdirSync(dirname(join(root, doc.path)), { recursive: true });
    writeFileSync(join(root, doc.path), doc.content);
  }
  return { root, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
}

const contentOf = (path: string): string => generatedDocs().find((doc) => doc.path === path)?.content ?? '';

describe('generated docs (.ci/gen-docs.ts)', () => {
  test('are deterministic: two runs give the same bytes', () => {
    expect(generatedDocs()).toEqual(generatedDocs());
  });

  test('the committed files are what the generator writes', () => {
    expect(driftedDocs({ root: ROOT })).toEqual([]);
  });

  test('the check names a drifted or missing file, and passes on a clean copy', () => {
    using copy = tempCopy();
    expect(driftedDocs({ root: copy.root })).toEqual([]);
    writeFileSync(join(copy.root, 'docs/rules.md'), contentOf('docs/rules.md').replace('| 600 |', '| 900 |'));
    rmSync(join(copy.root, 'docs/api-schemas.md'));
    expect(driftedDocs({ root: copy.root })).toEqual([
      { path: 'docs/rules.md', why: expect.stringMatching(/^differs from the generated text from line \d+$/) },
      { path: 'docs/api-schemas.md', why: 'missing' },
    ]);
  });

  test('`bun run docs:check` exits 1 on a drifted copy, says which file and how to regenerate', async () => {
    using copy = tempCopy();
    const script = join(ROOT, '.ci/gen-docs.ts');
    const clean = await runProcess({ cmd: [process.execPath, script, '--check', '--root', copy.root] });
    expect(clean.code).toBe(0);
    writeFileSync(join(copy.root, 'docs/signals.md'), `${contentOf('docs/signals.md')}hand edit\n`);
    const drifted = await runProcess({ cmd: [process.execPath, script, '--check', '--root', copy.root] });
    expect(drifted.code).toBe(1);
    expect(drifted.stderr).toContain('docs/signals.md: differs from the generated text');
    expect(drifted.stderr).toContain('bun run docs');
  });

  test('signals.md has a section for every catalog signal', () => {
    const text = contentOf('docs/signals.md');
    const missing = SIGNAL_CATALOG.filter((signal) => !text.includes(`\n### ${signal.id}\n`)).map((s) => s.id);
    expect(missing).toEqual([]);
  });

  test('rules.md has a row for every rule and links a runbook for every Critical one', () => {
    const text = contentOf('docs/rules.md');
    expect(RULES.filter((rule) => !text.includes(`| \`${rule.id}\``)).map((rule) => rule.id)).toEqual([]);
    for (const rule of CRITICAL_RULES) expect(text).toContain(`\`${rule.id}\` ([runbook](runbooks/${rule.id}.md))`);
  });

  test('the override key rules.md prints is the field an override really changes', () => {
    for (const rule of RULES) {
      const key = thresholdKeyOf(rule);
      if (key === null) continue;
      const [section = '', field = ''] = key.split('.');
      // A value no band uses, inside every field's range, keeping the healthy floor above the critical one (3).
      const value = key === 'healthy.state_transitions_healthy_per_sec' ? 4.2 : 0.42;
      const overrides = { all: { [section]: { [field]: value } } };
      const overridden = getThresholdProfile({ band: 'mid-scale', overrides });
      const expected = rule.kind === 'recovery' ? rule.threshold(overridden) : value;
      expect({ rule: rule.id, threshold: rule.threshold(overridden) }).toEqual({ rule: rule.id, threshold: expected });
      expect(rule.threshold(overridden)).not.toBe(rule.threshold(getThresholdProfile({ band: 'mid-scale' })));
    }
  });

  test('api-schemas.md lists every field of the status and error responses', () => {
    const text = contentOf('docs/api-schemas.md');
    const fields = (schema: { toJsonSchema: (o: { fallback: (c: { base: object }) => object }) => object }) =>
      Object.keys(Reflect.get(schema.toJsonSchema({ fallback: (ctx) => ctx.base }), 'properties') ?? {});
    const status = fields(StatusResponse);
    expect(status.length).toBeGreaterThan(20);
    const section = text.slice(text.indexOf('### GET /status\n'), text.indexOf('### GET /status/services'));
    expect(status.filter((field) => !section.includes(`| \`${field}\` |`))).toEqual([]);
    expect(fields(ApiError)).toEqual(['error']);
    expect(text).toContain('| `error.code` |');
  });
});
