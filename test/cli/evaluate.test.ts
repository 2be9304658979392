import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type } from 'arktype';
import type { CliIo } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli/main.ts';
import { Decision, EngineState, parseJsonText, parseOrThrow } from '../../src/models/index.ts';
import { carried, snapshotOf, zeroPrimary } from '../health/fixtures.ts';
import { runProcess } from '../support/run-process.ts';

const REPO_ROOT = join(import.meta.dir, '..', '..');

function fakeIo(stdin: string): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    readStdin: async () => stdin,
    out: (text: string) => {
      io.stdout += text;
    },
    err: (text: string) => {
      io.stderr += text;
    },
  };
  return io;
}

function criticalInput(): unknown {
  const primary = zeroPrimary();
  primary.state_transitions.throughput_per_sec = 0.1;
  primary.history.task_processing_rate_per_sec = 0.1;
  primary.persistence.error_rate_per_sec = 0.5;
  return { signals: snapshotOf(primary), state: carried({ state: 'stressed', count: 2 }) };
}

const CliOutput = type({ decision: Decision, state: EngineState, '+': 'reject' });

function parseOutput(stdout: string): typeof CliOutput.infer {
  return parseOrThrow(CliOutput, parseJsonText(stdout, 'evaluate output'), 'evaluate output');
}

describe('copilot evaluate (in process)', () => {
  test('prints the decision and next state as JSON', async () => {
    const io = fakeIo(JSON.stringify(criticalInput()));
    expect(await runCli(['evaluate'], io)).toBe(0);
    const { decision, state } = parseOutput(io.stdout);
    expect([decision.health_state, decision.consecutive_critical, decision.scale_band]).toEqual([
      'critical',
      3,
      'starter',
    ]);
    expect(state).toEqual({
      health_state: 'critical',
      last_known_state: 'critical',
      consecutive_critical: 3,
      scale_band: 'starter',
      // The first cycle with completions and starts known starts the progress baseline.
      progress_baseline: { completions_per_sec: 0, starts_per_sec: 0, updated_at: decision.at, learned_ms: 0 },
    });
    expect(io.stderr).toBe('');
  });

  test('--format table prints a summary naming the state and the firing rule', async () => {
    const io = fakeIo(JSON.stringify(criticalInput()));
    expect(await runCli(['evaluate', '--format', 'table'], io)).toBe(0);
    expect(io.stdout).toContain('state        critical (was stressed), band starter');
    expect(io.stdout).toContain('firing       critical critical.throughput_collapse: 0.1 < 0.5');
  });

  test('--help prints usage and reads nothing', async () => {
    const io = fakeIo('not json');
    expect(await runCli(['evaluate', '--help'], io)).toBe(0);
    expect(io.stdout).toStartWith('usage: bun run copilot evaluate');
  });

  test('overrides and initial_band are applied', async () => {
    const primary = zeroPrimary();
    primary.state_transitions.throughput_per_sec = 20;
    primary.history.task_processing_rate_per_sec = 20;
    primary.persistence.latency_p99_ms = 300;
    const input = {
      signals: snapshotOf(primary),
      overrides: { starter: { stressed: { persistence_latency_p99_max_ms: 250 } } },
      initial_band: 'starter',
    };
    const io = fakeIo(JSON.stringify(input));
    expect(await runCli(['evaluate'], io)).toBe(0);
    const { decision } = parseOutput(io.stdout);
    expect(decision.firing.map((finding) => [finding.rule_id, finding.threshold])).toEqual([
      ['stressed.persistence_latency', 250],
    ]);
  });

  test.each([
    { name: 'bad JSON', stdin: '{"signals": ', needle: 'not valid JSON' },
    { name: 'missing signals', stdin: '{}', needle: 'signals' },
    {
      name: 'a bad value names its path',
      stdin: JSON.stringify({
        signals: {
          ...snapshotOf(zeroPrimary()),
          primary: {
            ...zeroPrimary(),
            history: { backlog_age_sec: -1, task_processing_rate_per_sec: 0, shard_churn_rate_per_sec: 0 },
          },
        },
      }),
      needle: 'signals.primary.history.backlog_age_sec',
    },
    {
      name: 'a misspelt signal field',
      stdin: JSON.stringify({
        signals: {
          ...snapshotOf(zeroPrimary()),
          primary: { ...zeroPrimary(), demand: { workflow_start_per_sec: 3 } },
        },
      }),
      needle: 'signals.primary.demand.workflow_start_per_sec',
    },
    {
      name: 'an unknown top-level key',
      stdin: JSON.stringify({ signals: snapshotOf(zeroPrimary()), sate: null }),
      needle: 'sate',
    },
    {
      name: 'unordered overrides',
      stdin: JSON.stringify({
        signals: snapshotOf(zeroPrimary()),
        overrides: { all: { critical: { state_transitions_min_per_sec: 99 } } },
      }),
      needle: 'critical.state_transitions_min_per_sec',
    },
  ])('$name exits 2 and names the field', async ({ stdin, needle }) => {
    const io = fakeIo(stdin);
    expect(await runCli(['evaluate'], io)).toBe(2);
    expect(io.stderr).toContain(needle);
    expect(io.stdout).toBe('');
  });

  test('a snapshot from before a signal existed evaluates: absent groups and fields are no data', async () => {
    const { demand: _demand, ...olderPrimary } = zeroPrimary();
    const { worker: _worker, ...olderSnapshot } = snapshotOf({
      ...olderPrimary,
      demand: { workflow_starts_per_sec: null },
    });
    const io = fakeIo(JSON.stringify({ signals: { ...olderSnapshot, primary: olderPrimary } }));
    expect(await runCli(['evaluate'], io)).toBe(0);
    const { decision } = parseOutput(io.stdout);
    expect(decision.progress?.starts_per_sec).toBeNull();
    expect(decision.health_state).toBe('happy');
  });

  test('an unknown option exits 2', async () => {
    const io = fakeIo('{}');
    expect(await runCli(['evaluate', '--fromat', 'json'], io)).toBe(2);
    expect(io.stderr).toContain('--fromat');
  });
});

describe('copilot evaluate (subprocess)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('bun run copilot evaluate < snapshot.json prints a valid decision', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'copilot-evaluate-'));
    dirs.push(dir);
    const file = join(dir, 'snapshot.json');
    await writeFile(file, JSON.stringify(criticalInput()));
    const { stdout, stderr, code } = await runProcess({
      cmd: ['bun', 'run', 'copilot', 'evaluate'],
      cwd: REPO_ROOT,
      stdin: Bun.file(file),
    });
    expect({ code, stderr: stderr.includes('error') ? stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(parseOutput(stdout).decision.health_state).toBe('critical');
  });

  test('a schema error exits 2 with the field on stderr', async () => {
    const { stderr, code } = await runProcess({
      cmd: ['bun', 'run', 'copilot', 'evaluate'],
      cwd: REPO_ROOT,
      stdin: new TextEncoder().encode('{"signals": {"cluster": ""}}'),
    });
    expect(code).toBe(2);
    expect(stderr).toContain('signals.cluster');
  });
});
