import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleForNode } from '../../src/demo/load/processes.ts';
import { runProcess } from './run-process.ts';

/**
 * Running SDK code under Node from bun tests. The Temporal worker's runtime is Node (see the README, "Why the worker
 * runs on Node"); Node 20 cannot run TypeScript, so each entry is bundled with Bun for Node first (npm packages stay
 * external and resolve from the repo's node_modules), then run with `node`, and the bun test asserts on the JSON
 * it prints.
 */

export const REPO_ROOT = resolve(import.meta.dir, '..', '..');
/** Bundles land in the repo's (gitignored) dist/, so external packages resolve from its node_modules. */
export const DIST_DIR = join(REPO_ROOT, 'dist');
export const WORKFLOWS_PATH = join(REPO_ROOT, 'src', 'workflows', 'index.ts');
/** The Java time-skipping test server that `.ci/fetch-test-server` provisions. */
export const TEST_SERVER = join(homedir(), '.cache', 'temporal-sre-copilot', 'temporal-test-server');

/** Bundle `entry` (a path relative to the repo) for Node as `dist/<name>.js`: the demo's own bundler. */
export const buildForNode = bundleForNode;

export interface NodeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a bundled script under Node to completion. */
export async function runNode(input: { script: string; args?: readonly string[] }): Promise<NodeRun> {
  if (!existsSync(TEST_SERVER)) throw new Error(`no test server at ${TEST_SERVER}: run .ci/setup`);
  return runProcess({ cmd: ['node', input.script, ...(input.args ?? [])], cwd: REPO_ROOT });
}

/** The JSON object on the last line that starts with `RESULT ` (scripts log freely before it). */
export function resultOf(run: NodeRun): unknown {
  const line = run.stdout
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith('RESULT '));
  if (line === undefined) {
    throw new Error(
      `node exited ${run.code} without a RESULT line\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`,
    );
  }
  return JSON.parse(line.slice('RESULT '.length)) as unknown;
}

/** Wait for a condition (never for a clock): poll `check` until it returns a value, or fail after `withinMs`. */
export async function waitFor<T>(input: {
  what: string;
  check: () => Promise<T | null | undefined | false>;
  withinMs?: number;
}): Promise<T> {
  const deadline = Date.now() + (input.withinMs ?? 120_000);
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await input.check();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${input.what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await Bun.sleep(200);
  }
}
