import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/demo/local-prometheus.ts';
import { runProcess } from '../support/run-process.ts';

// Each test runs the real CLI end to end (Prometheus backfill, embedded store); bun's 5 s default is too short on a
// loaded machine when the file is run on its own rather than through `bun run test`.
setDefaultTimeout(600_000);

const dataDir = mkdtempSync(join(tmpdir(), 'copilot-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface DemoJson {
  scenario: string;
  store: { kind: string };
  cycles: { stored: number; already_present: number };
  assessments: { stored: number; already_present: number };
  report: { timeline: { at: string; health_state: string }[]; summary: { steps: number } };
  worst: { health_state: string } | null;
}

/** The quick start's command, as a user runs it, on the embedded default store in a private data dir. */
async function demo(args: string[], port: number): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? dataDir,
    COPILOT_DATA_DIR: dataDir,
    COPILOT_EMBEDDED_DB_PORT: String(port),
  };
  return runProcess({ cmd: ['bun', 'run', 'copilot', 'demo', ...args], env });
}

describe('copilot demo', () => {
  test('replays an incident into the embedded store, reaches Critical after the debounce, and is idempotent', async () => {
    const port = await freePort();
    const first = await demo(['--replay', 'persistence-error-storm', '--format', 'json'], port);
    // Everything but `bun run`'s own echo of the command line (the scenario's name contains "error").
    expect(first.stderr.replace(/^\$ .*\n/, '')).not.toContain('error');
    expect(first.code).toBe(0);
    const outcome = JSON.parse(first.stdout) as DemoJson;
    expect(outcome.store.kind).toBe('embedded');
    expect(outcome.cycles).toEqual({ stored: outcome.report.summary.steps, already_present: 0 });
    expect(outcome.worst?.health_state).toBe('critical');
    const states = outcome.report.timeline.map((entry) => entry.health_state);
    // Happy before the storm, never straight from Happy to Critical, Happy again after it.
    expect(states.slice(1, 10).every((state) => state === 'happy')).toBe(true);
    const firstCritical = states.indexOf('critical');
    expect(states[firstCritical - 1]).toBe('stressed');
    expect(states.at(-1)).toBe('happy');
    // An assessment for every state change at least (fingerprint changes add more), each explained.
    const changes = states.filter((state, i) => i === 0 || state !== states[i - 1]).length;
    expect(outcome.assessments.stored).toBeGreaterThanOrEqual(changes);

    const second = await demo(['--replay', 'persistence-error-storm', '--format', 'json'], port);
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as DemoJson;
    expect(again.cycles).toEqual({ stored: 0, already_present: outcome.report.summary.steps });
    expect(again.assessments).toEqual({ stored: 0, already_present: outcome.assessments.stored });
  });

  test('the human table names the worst moment and where the data went', async () => {
    const { code, stdout } = await demo(['--replay', 'worker-outage'], await freePort());
    expect(code).toBe(0);
    expect(stdout).toContain("Scenario 'worker-outage'");
    expect(stdout).toContain('Worst moment: CRITICAL');
    expect(stdout).toMatch(/Assessment \(rules explainer\): .* is critical/);
    expect(stdout).toContain(`embedded store: embedded ${dataDir}`);
  });

  test('an unknown scenario is a usage error naming the choices', async () => {
    const { code, stderr } = await demo(['--replay', 'nope'], await freePort());
    expect(code).toBe(2);
    expect(stderr).toContain("unknown scenario 'nope'");
    expect(stderr).toContain('persistence-error-storm');
  });
});
