import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/demo/local-prometheus.ts';
import { runProcess } from './run-process.ts';

/** The Temporal CLI that `.ci/setup` builds (`.ci/build-temporal`); it embeds the dev server. */
export const TEMPORAL_CLI = join(homedir(), '.cache', 'temporal-sre-copilot', 'temporal');

/** A running `temporal server start-dev`. Dispose it (`await using`) to stop it. */
export interface TemporalDevServer extends AsyncDisposable {
  /** Frontend gRPC `host:port`. */
  address: string;
  /** `host:port` serving `/metrics`. */
  metricsTarget: string;
  /** Run a `temporal` CLI command against this server; rejects with its output when it exits non-zero. */
  cli(args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

async function runCli(args: readonly string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runProcess({ cmd: [TEMPORAL_CLI, ...args] });
  return { code, output: `${stdout}${stderr}` };
}

/**
 * Start the dev server (in-memory SQLite, no UI) on free 127.0.0.1 ports with `/metrics` on its own port, and
 * resolve once the frontend answers `operator cluster health` and `/metrics` answers, or reject after `readyWithinMs`
 * (a bound for a loaded machine, not an expected duration). `dynamicConfig` values are JSON.
 * @throws Error naming `.ci/setup` when the CLI has not been built.
 */
export async function startTemporalDevServer(
  input: { dynamicConfig?: Record<string, unknown>; readyWithinMs?: number } = {},
): Promise<TemporalDevServer> {
  if (!existsSync(TEMPORAL_CLI)) {
    throw new Error(`no Temporal CLI at ${TEMPORAL_CLI}: run .ci/setup (it builds it with .ci/build-temporal)`);
  }
  const [port, httpPort, metricsPort, uiPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const address = `127.0.0.1:${port}`;
  const metricsTarget = `127.0.0.1:${metricsPort}`;
  const proc = Bun.spawn(
    [
      TEMPORAL_CLI,
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--ui-port',
      String(uiPort),
      '--metrics-port',
      String(metricsPort),
      '--log-level',
      'error',
      ...Object.entries(input.dynamicConfig ?? {}).flatMap(([key, value]) => [
        '--dynamic-config-value',
        `${key}=${JSON.stringify(value)}`,
      ]),
    ],
    { stdout: 'ignore', stderr: 'pipe' },
  );
  // Drain stderr as it comes so a chatty server never blocks on a full pipe; keep the tail for errors.
  let stderrTail = '';
  const drained = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) stderrTail = (stderrTail + decoder.decode(chunk)).slice(-4000);
  })();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    proc.kill();
    await proc.exited;
  };
  const cli = async (args: readonly string[]) => {
    const result = await runCli([...args, '--address', address]);
    if (result.code !== 0) throw new Error(`temporal ${args.join(' ')} exited ${result.code}: ${result.output}`);
    return result.output;
  };
  const deadline = Date.now() + (input.readyWithinMs ?? 45_000);
  for (;;) {
    if (proc.exitCode !== null) {
      await drained;
      await stop();
      throw new Error(`temporal server start-dev exited ${proc.exitCode}: ${stderrTail}`);
    }
    const metricsUp = await fetch(`http://${metricsTarget}/metrics`).then(
      async (response) => {
        await response.body?.cancel();
        return response.ok;
      },
      () => false,
    );
    if (metricsUp && (await runCli(['operator', 'cluster', 'health', '--address', address])).code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`temporal dev server on ${address} not ready within ${input.readyWithinMs ?? 45_000} ms`);
    }
    await Bun.sleep(100);
  }
  return { address, metricsTarget, cli, stop, [Symbol.asyncDispose]: stop };
}
