import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type } from 'arktype';

/**
 * Start the load's worker and client as Node processes (the SDK's worker does not run on Bun), bundled once per
 * process from `src/demo/load/*-main.ts` into the repo's gitignored `dist/`, where npm packages resolve from
 * `node_modules`. Used by the real-cluster tests and the live demo.
 */

const REPO_ROOT = resolve(import.meta.dir, '..', '..', '..');
const DIST_DIR = join(REPO_ROOT, 'dist');
export const LOAD_WORKFLOWS_PATH = join(REPO_ROOT, 'src', 'demo', 'load', 'workflows.ts');

let bundled: Promise<{ worker: string; client: string }> | null = null;

/** Bundle `entry` (a path from the repo root) for Node into `dist/<name>.js`, npm packages left external. */
export async function bundleForNode(input: { entry: string; name: string }): Promise<string> {
  mkdirSync(DIST_DIR, { recursive: true });
  const result = await Bun.build({
    entrypoints: [join(REPO_ROOT, input.entry)],
    target: 'node',
    format: 'esm',
    packages: 'external',
    outdir: DIST_DIR,
    naming: `${input.name}.js`,
  });
  if (!result.success) throw new Error(`bundling ${input.entry} failed: ${result.logs.join('\n')}`);
  return join(DIST_DIR, `${input.name}.js`);
}

function bundle(entry: string, name: string): Promise<string> {
  return bundleForNode({ entry: join('src', 'demo', 'load', entry), name });
}

function bundleLoad(): Promise<{ worker: string; client: string }> {
  mkdirSync(DIST_DIR, { recursive: true });
  bundled ??= Promise.all([bundle('worker-main.ts', 'load-worker'), bundle('client-main.ts', 'load-client')]).then(
    ([worker, client]) => ({ worker, client }),
  );
  return bundled;
}

/** A running load process. */
export interface LoadProcess extends AsyncDisposable {
  pid: number;
  exited: Promise<number>;
  /** The tail of what it printed (stdout and stderr). */
  output(): string;
  /** SIGTERM: graceful (the worker drains, the client stops starting). */
  stop(): Promise<number>;
  /** SIGKILL: an outage, as when a host or pod dies. */
  kill(): Promise<number>;
}

/** What the client reported last (`STATS` lines). */
export const LoadClientStats = type({
  started: 'number',
  startErrors: 'number',
  awaited: 'number',
  resultErrors: 'number',
  pendingResults: 'number',
});
export type LoadClientStats = typeof LoadClientStats.infer;

const READY_WITHIN_MS = 120_000;

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Spawn `node script …args` from the repo root, keep the tail of what it prints, and, when `readyMarker` is given,
 * resolve only once it printed that marker (rejecting with its output if it exits or misses `READY_WITHIN_MS`).
 * `env`, when given, replaces the environment. Shared with the tests' worker launcher.
 */
export async function spawnNodeProcess(input: {
  script: string;
  args?: readonly string[];
  /** Node's own flags, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not allow). */
  nodeArgs?: readonly string[];
  env?: Record<string, string>;
  readyMarker?: string;
}): Promise<LoadProcess & { lines: () => string[] }> {
  const proc = Bun.spawn(['node', ...(input.nodeArgs ?? []), input.script, ...(input.args ?? [])], {
    cwd: REPO_ROOT,
    ...(input.env ? { env: input.env } : {}),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let output = '';
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output = (output + decoder.decode(chunk)).slice(-200_000);
  };
  const drained = Promise.all([drain(proc.stdout), drain(proc.stderr)]);
  const exited = proc.exited.then(async (code) => {
    await drained;
    return code;
  });
  const signal = async (name: 'SIGTERM' | 'SIGKILL') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(name);
    return exited;
  };
  const deadline = Date.now() + READY_WITHIN_MS;
  while (input.readyMarker !== undefined && !output.includes(input.readyMarker)) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${input.script} exited ${proc.exitCode ?? proc.signalCode}: ${output.slice(-3000)}`);
    }
    if (Date.now() > deadline) {
      await signal('SIGKILL');
      throw new Error(`${input.script} not ready within ${READY_WITHIN_MS / 1000} s: ${output.slice(-3000)}`);
    }
    await Bun.sleep(50);
  }
  return {
    pid: proc.pid,
    exited,
    output: () => output,
    lines: () => output.split('\n'),
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    [Symbol.asyncDispose]: async () => {
      await signal('SIGKILL');
    },
  };
}

/** The flags both load processes take: where the cluster is and which queue to use. */
function connectionArgs(input: { address: string; taskQueue: string; namespace?: string }): string[] {
  return ['--address', input.address, '--namespace', input.namespace ?? 'default', '--task-queue', input.taskQueue];
}

/** Start an SDK worker for `taskQueue`; resolves once it polls. Its sdk-core metrics serve on `metricsPort`. */
export async function startLoadWorker(input: {
  address: string;
  taskQueue: string;
  /** Where sdk-core serves its Prometheus metrics; without it the worker exports none. */
  metricsPort?: number;
  namespace?: string;
}): Promise<LoadProcess> {
  const { worker } = await bundleLoad();
  return spawnNodeProcess({
    readyMarker: 'READY ',
    script: worker,
    args: [
      ...connectionArgs(input),
      ...(input.metricsPort === undefined ? [] : ['--metrics-port', String(input.metricsPort)]),
      '--workflows',
      LOAD_WORKFLOWS_PATH,
    ],
  });
}

/** Start a client offering `ratePerSec` workflow starts on `taskQueue`, awaiting every `awaitEvery`-th result. */
export async function startLoadClient(input: {
  address: string;
  taskQueue: string;
  ratePerSec: number;
  awaitEvery?: number;
  namespace?: string;
  idPrefix?: string;
}): Promise<LoadProcess & { stats(): LoadClientStats | null }> {
  const { client } = await bundleLoad();
  const proc = await spawnNodeProcess({
    readyMarker: 'READY ',
    script: client,
    args: [
      ...connectionArgs(input),
      '--rate',
      String(input.ratePerSec),
      '--await-every',
      String(input.awaitEvery ?? 4),
      '--id-prefix',
      input.idPrefix ?? input.taskQueue,
    ],
  });
  const stats = (): LoadClientStats | null => {
    const line = proc
      .lines()
      .reverse()
      .find((candidate) => candidate.startsWith('STATS '));
    if (line === undefined) return null;
    // The last line may still be half written; a line that does not parse is no report yet.
    const parsed = LoadClientStats(jsonOrNull(line.slice('STATS '.length)));
    return parsed instanceof type.errors ? null : parsed;
  };
  return { ...proc, stats };
}
