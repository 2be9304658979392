import type { LoadProcess } from '../../src/demo/load/processes.ts';
import { spawnNodeProcess } from '../../src/demo/load/processes.ts';
import { buildForNode } from './temporal.ts';

/**
 * The worker exactly as users run it: `src/worker.ts` bundled for Node (`dist/worker.js`) and started with `node`;
 * `stop()` is SIGTERM (graceful drain), `kill()` SIGKILL (a crash).
 */
export type WorkerProcess = LoadProcess;

let built: Promise<string> | null = null;

/** Bundle the worker once per test process. */
export function buildWorker(): Promise<string> {
  built ??= buildForNode({ entry: 'src/worker.ts', name: 'worker' });
  return built;
}

export async function startWorkerProcess(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<WorkerProcess> {
  const script = await buildWorker();
  return spawnNodeProcess({
    script,
    nodeArgs,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/root',
      // Off unless a test asks for it: several workers (tests, benches, other checkouts) share this machine, and
      // the default port would let only the first one start.
      COPILOT_WORKER_METRICS_PORT: '0',
      ...env,
    },
  });
}
