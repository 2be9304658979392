import { buildForNode, REPO_ROOT } from './temporal.ts';

/** The worker exactly as users run it: `src/worker.ts` bundled for Node (`dist/worker.js`) and started with `node`. */
export interface WorkerProcess extends AsyncDisposable {
  pid: number;
  exited: Promise<number>;
  /** Everything the worker printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (graceful shutdown); resolves with the exit code. */
  stop(): Promise<number>;
  /** SIGKILL: the worker dies mid-whatever, as in a crash. */
  kill(): Promise<number>;
}

let built: Promise<string> | null = null;

/** Bundle the worker once per test process. */
export function buildWorker(): Promise<string> {
  built ??= buildForNode({ entry: 'src/worker.ts', name: 'worker' });
  return built;
}

export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const script = await buildWorker();
  const proc = Bun.spawn(['node', script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', ...env },
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
  return {
    pid: proc.pid,
    exited,
    output: () => output,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    [Symbol.asyncDispose]: async () => {
      await signal('SIGKILL');
    },
  };
}
