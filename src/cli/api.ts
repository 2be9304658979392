import { parseArgs } from 'node:util';
import { type Api, createApi, serveApi } from '../api/index.ts';
import { type Config, loadConfig } from '../config.ts';
import { openStore } from '../db/index.ts';
import { AppError } from '../models/index.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';

const HELP = `usage: bun run copilot api [--port N] [--host ADDRESS]

Serves the JSON API (docs/api.md) until SIGINT or SIGTERM.

options:
  --port N          port to listen on (default COPILOT_API_PORT, 8081; 0 picks a free one)
  --host ADDRESS    address to bind (default COPILOT_API_HOST, 127.0.0.1)
  --help            show this help

Configuration from the environment: the store (DATABASE_URL, DSQL_ENDPOINT + AWS_REGION, or embedded PGlite),
COPILOT_API_TOKEN (bearer token), COPILOT_CORS_ORIGINS, COPILOT_CLUSTERS (names served before their first cycle)
and COPILOT_OBSERVE_INTERVAL_SEC (a cluster is stale after four intervals without a cycle).
The store is polled for changes every few seconds; while it is unreachable the API answers 503 with the last
known status marked stale, and recovers by itself.
`;

export interface ApiCommandDeps {
  loadConfig: () => Readonly<Config>;
  /** Resolves when the server should stop. @default the first SIGINT or SIGTERM */
  waitForStop?: () => Promise<void>;
}

function untilSignal(): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
  return promise;
}

function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65_535) {
    throw new AppError('INVALID_INPUT', `--port must be an integer in [0, 65535], got ${value}`, {
      problems: { '--port': ['must be an integer in [0, 65535]'] },
    });
  }
  return n;
}

/**
 * `Bun.serve`, with a port already taken turned into an error that says what to change.
 * @throws AppError CONFIG_INVALID when the address is in use.
 */
function listen(api: Api, at: { host: string; port: number }): ReturnType<typeof serveApi> {
  try {
    return serveApi({ api, host: at.host, port: at.port });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      throw new AppError(
        'CONFIG_INVALID',
        `cannot listen on ${at.host}:${at.port}: the port is in use; choose another with --port or COPILOT_API_PORT`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The `copilot api` command; `deps` lets tests give it a configuration and stop it. */
export function createApiCommand(deps: ApiCommandDeps): Command {
  return {
    name: 'api',
    summary: 'serve the JSON API (status, timeline, metrics) from the state store',
    async run(argv: readonly string[], io: CliIo): Promise<number> {
      let values: { help?: boolean; port?: string; host?: string };
      try {
        ({ values } = parseArgs({
          args: [...argv],
          options: { help: { type: 'boolean', short: 'h' }, port: { type: 'string' }, host: { type: 'string' } },
        }));
      } catch (error) {
        throw new AppError('INVALID_INPUT', `${error instanceof Error ? error.message : String(error)} (see --help)`);
      }
      if (values.help) {
        io.out(HELP);
        return EXIT.ok;
      }
      const config = deps.loadConfig();
      const listenOn = { port: port(values.port, config.api.port), host: values.host ?? config.api.host };
      const store = await openStore(config.store);
      // Everything opened after the store is released in this one finally, so a failure at any step (bad options, a
      // port in use) exits instead of leaving the poll loop and the pool holding the process open.
      let api: Api | null = null;
      let server: ReturnType<typeof serveApi> | null = null;
      try {
        api = createApi({
          sql: store.sql,
          configuredClusters: config.clusters.map((cluster) => cluster.name),
          // Four missed cycles: one late write is normal; minutes without any mean the observer is not running.
          staleAfterMs: 4 * config.observeIntervalMs,
          pollIntervalMs: Math.min(5_000, Math.max(1_000, Math.floor(config.observeIntervalMs / 3))),
          bearerToken: config.api.bearerToken,
          corsOrigins: config.api.corsOrigins,
          log: (message, error) =>
            io.err(`copilot api: ${message}: ${error instanceof Error ? error.message : String(error)}\n`),
        });
        await api.refresh();
        server = listen(api, listenOn);
        // The loop starts only once the port is ours: a server that cannot listen has nothing to keep fresh.
        api.start();
        io.out(`copilot api listening on http://${listenOn.host}:${server.port} (store: ${store.target})\n`);
        await (deps.waitForStop ?? untilSignal)();
      } finally {
        api?.stop();
        await server?.stop();
        await store.close();
      }
      return EXIT.ok;
    },
  };
}

export const apiCommand = createApiCommand({ loadConfig: () => loadConfig() });
