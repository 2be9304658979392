import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { AppError } from '../models/index.ts';

/**
 * The embedded store: PGlite (Postgres compiled to WASM) in one process, served over the Postgres wire protocol by
 * pglite-socket so that every process (the Bun API, the Node worker, the CLI) uses the same postgres.js code as in
 * production. The first process to open the data directory owns PGlite and the server; the others connect.
 *
 * pglite-socket facts (0.2.x source): PGlite has one backend, so the server runs one protocol message at a time
 * through a shared queue; while a client is inside a transaction only that client's messages run, so transactions are
 * serialized, not interleaved. It accepts `maxConnections` clients (default 1: extra sockets get a plain-text
 * "Too many connections" and are closed), ignores passwords and refuses TLS. Clients should use `max: 1`.
 */

export const EMBEDDED_HOST = '127.0.0.1';
/** Socket clients the server accepts: API + worker + CLI with room for reconnects. */
export const EMBEDDED_MAX_CONNECTIONS = 16;
const LOCK_FILE = 'copilot-embedded.lock';
const WAIT_FOR_OWNER_MS = 15_000;

export interface EmbeddedServer {
  host: string;
  port: number;
  /** True when this process started PGlite and must stop it. */
  owned: boolean;
  close(): Promise<void>;
}

/** Extended-query protocol messages that leave the unnamed statement or portal half used until the next Sync. */
const EXTENDED_MESSAGES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((letter) => letter.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const SIMPLE_QUERY = 'Q'.charCodeAt(0);

/**
 * PGlite as pglite-socket's queue should see it. The queue runs one client's messages at a time and keeps to that
 * client only while `isInTransaction()`; between transactions it interleaves clients message by message. But one
 * extended-protocol query is several messages (Parse, Bind, Describe, Execute, then Sync) on PGlite's single
 * backend: another client's Bind or Sync in between replaces or drops the unnamed portal, and the first client gets
 * `34000 portal "" does not exist` (seen in the live demo: the API polling while the worker wrote a cycle in a
 * transaction; test/db/embedded.test.ts reproduces it). So a client that has started an extended query counts as
 * "in a transaction" until its Sync, and the queue serves it alone until then.
 */
function pgliteForSocketQueue(db: PGlite): PGlite {
  let midExtendedQuery = false;
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'isInTransaction') return () => midExtendedQuery || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const kind = message[0];
          if (kind !== undefined && EXTENDED_MESSAGES.has(kind)) midExtendedQuery = true;
          else if (kind === SYNC || kind === SIMPLE_QUERY) midExtendedQuery = false;
          return target.execProtocolRawStream(message, options);
        };
      }
      // The queue's only `exec` is its ROLLBACK for a client that left mid-transaction: nothing of it is left.
      if (property === 'exec') {
        return (query: string, options?: Parameters<PGlite['exec']>[1]) => {
          midExtendedQuery = false;
          return target.exec(query, options);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Serve an existing PGlite instance (the caller keeps ownership of `db`). Port 0 picks a free port. */
export async function servePglite(input: {
  db: PGlite;
  port: number;
}): Promise<{ port: number; stop(): Promise<void> }> {
  const server = new PGLiteSocketServer({
    db: pgliteForSocketQueue(input.db),
    host: EMBEDDED_HOST,
    port: input.port,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  await server.start();
  const port = Number(server.getServerConn().split(':').at(-1));
  return { port, stop: () => server.stop() };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: EMBEDDED_HOST, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** Take the data directory's lock; false when a live process holds it. */
function takeLock(dataDir: string): boolean {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return true;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) return false;
      rmSync(path, { force: true });
    }
  }
  return false;
}

/**
 * Connect to the embedded server for `dataDir`, starting it in this process when nobody serves it yet.
 * @throws AppError STORE_UNAVAILABLE when another process holds the data directory but never starts listening.
 */
export async function ensureEmbeddedServer(input: { dataDir: string; port: number }): Promise<EmbeddedServer> {
  const notOwned = (port: number): EmbeddedServer => ({
    host: EMBEDDED_HOST,
    port,
    owned: false,
    close: async () => {},
  });
  if (input.port !== 0 && (await canConnect(input.port))) return notOwned(input.port);
  mkdirSync(input.dataDir, { recursive: true });
  if (!takeLock(input.dataDir)) {
    // Another live process owns the directory and is starting its server; wait for it rather than open PGlite twice.
    const deadline = Date.now() + WAIT_FOR_OWNER_MS;
    while (Date.now() < deadline) {
      if (input.port !== 0 && (await canConnect(input.port))) return notOwned(input.port);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new AppError(
      'STORE_UNAVAILABLE',
      `embedded store ${input.dataDir} is locked by another process that is not serving on port ${input.port}`,
    );
  }
  const release = () => rmSync(join(input.dataDir, LOCK_FILE), { force: true });
  let db: PGlite | null = null;
  try {
    db = await PGlite.create(join(input.dataDir, 'pgdata'));
    const served = await servePglite({ db, port: input.port });
    const owned = db;
    return {
      host: EMBEDDED_HOST,
      port: served.port,
      owned: true,
      close: async () => {
        await served.stop();
        await owned.close();
        release();
      },
    };
  } catch (error) {
    await db?.close();
    release();
    throw new AppError('STORE_UNAVAILABLE', `cannot start the embedded store in ${input.dataDir}: ${String(error)}`, {
      cause: error,
    });
  }
}
