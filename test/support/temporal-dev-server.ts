import { existsSync } from 'node:fs';
import { DEFAULT_TEMPORAL_CLI, startDevServer } from '../../src/demo/dev-server.ts';
import { freePort } from '../../src/demo/local-prometheus.ts';
import { runProcess } from './run-process.ts';

/** The Temporal CLI that `.ci/setup` builds (`.ci/build-temporal`); it embeds the dev server. */
export const TEMPORAL_CLI = DEFAULT_TEMPORAL_CLI;

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
 * Start the dev server (in-memory SQLite, no UI) on free 127.0.0.1 ports with `/metrics` on its own port, through
 * the same launcher as the live demo's monitored cluster (src/demo/dev-server.ts), and resolve once the frontend
 * and `/metrics` answer. `dynamicConfig` values are JSON.
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
  const server = await startDevServer({
    cli: TEMPORAL_CLI,
    port,
    httpPort,
    uiPort,
    metricsPort,
    ...(input.dynamicConfig ? { dynamicConfig: input.dynamicConfig } : {}),
    readyWithinMs: input.readyWithinMs ?? 45_000,
  });
  const cli = async (args: readonly string[]) => {
    const result = await runCli([...args, '--address', server.address]);
    if (result.code !== 0) throw new Error(`temporal ${args.join(' ')} exited ${result.code}: ${result.output}`);
    return result.output;
  };
  return {
    address: server.address,
    metricsTarget: server.metricsTarget,
    cli,
    stop: server.stop,
    [Symbol.asyncDispose]: server.stop,
  };
}
