import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A monitored Temporal cluster that really runs: `temporal server start-dev` from the CLI that `.ci/setup` builds,
 * on fixed loopback ports and a SQLite file, so it can be stopped and started again (a server restart) with its
 * workflows, its address and its metrics target unchanged. Used by the real-cluster tests and the live demo.
 */

/** Where `.ci/build-temporal` links the CLI it builds. */
export const DEFAULT_TEMPORAL_CLI = join(homedir(), '.cache', 'temporal-sre-copilot', 'temporal');

export interface DevServerOptions {
  cli?: string;
  port: number;
  httpPort: number;
  uiPort: number;
  metricsPort: number;
  /** SQLite file: workflows survive a restart. Absent: in memory, gone with the process. */
  dbFile?: string;
  /** Dynamic config values (JSON), e.g. `{ 'matching.longPollExpirationInterval': '2s' }`. */
  dynamicConfig?: Record<string, unknown>;
  readyWithinMs?: number;
}

export interface DevServer extends AsyncDisposable {
  address: string;
  metricsTarget: string;
  /** Stop the server process (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Start it again on the same ports and database. */
  start(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    async (response) => {
      await response.body?.cancel();
      return response.ok;
    },
    () => false,
  );
}

/**
 * Start the dev server and resolve when its metrics endpoint and its HTTP API answer (the HTTP API is served by
 * the frontend, so the frontend is up). Rejects with the server's last output when it exits or is not ready.
 * @throws Error naming `.ci/setup` when the CLI is not built.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = options.cli ?? DEFAULT_TEMPORAL_CLI;
  if (!existsSync(cli)) throw new Error(`no Temporal CLI at ${cli}: run .ci/setup (it builds it)`);
  const address = `127.0.0.1:${options.port}`;
  const metricsTarget = `127.0.0.1:${options.metricsPort}`;
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  let tail = '';

  const start = async () => {
    const child = Bun.spawn(
      [
        cli,
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        String(options.port),
        '--http-port',
        String(options.httpPort),
        '--ui-port',
        String(options.uiPort),
        '--metrics-port',
        String(options.metricsPort),
        ...(options.dbFile === undefined ? [] : ['--db-filename', options.dbFile]),
        '--log-level',
        'error',
        ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
          '--dynamic-config-value',
          `${key}=${JSON.stringify(value)}`,
        ]),
      ],
      { stdout: 'ignore', stderr: 'pipe' },
    );
    proc = child;
    void (async () => {
      const decoder = new TextDecoder();
      if (child.stderr instanceof ReadableStream) {
        for await (const chunk of child.stderr) tail = (tail + decoder.decode(chunk)).slice(-4000);
      }
    })();
    const readyWithinMs = options.readyWithinMs ?? 60_000;
    const deadline = Date.now() + readyWithinMs;
    for (;;) {
      // A process killed by a signal has no exit code, only a signal code.
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`temporal server start-dev exited ${child.exitCode ?? child.signalCode}: ${tail}`);
      }
      const ready =
        (await answers(`http://${metricsTarget}/metrics`)) &&
        (await answers(`http://127.0.0.1:${options.httpPort}/api/v1/namespaces/default`));
      if (ready) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server on ${address} not ready within ${readyWithinMs} ms: ${tail}`);
      }
      await Bun.sleep(200);
    }
  };

  const stop = async () => {
    const child = proc;
    proc = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await child.exited;
    clearTimeout(killer);
  };

  await start();
  return { address, metricsTarget, stop, start, [Symbol.asyncDispose]: stop };
}
