import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AppError, EXPOSITION_CONTENT_TYPE } from './models/index.ts';

/**
 * The worker's `/metrics` and `/healthz` on a tiny `node:http` server: the worker runs on Node, not Bun, and this
 * is its only HTTP surface, so a router or framework would be more code than the two routes.
 */

export interface WorkerMetricsServerOptions {
  host: string;
  /** A fixed port; 0 picks a free one (tests). The config's `0 = off` is decided before this is called. */
  port: number;
  /** The exposition text, built per scrape (a scrape every 15–60 s; building it is microseconds). */
  exposition: () => string;
}

export interface WorkerMetricsServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stop listening and end open connections; resolves when closed. Idempotent. */
  close(): Promise<void>;
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
  allow?: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function errorReply(status: number, code: string, message: string): Reply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify({ error: { code, message } }) };
}

function route(input: { method: string; url: string; exposition: () => string }): Reply {
  const path = new URL(input.url, 'http://worker').pathname;
  if (path !== '/metrics' && path !== '/healthz') return errorReply(404, 'NOT_FOUND', `no route ${path}`);
  if (input.method !== 'GET' && input.method !== 'HEAD') {
    return { ...errorReply(405, 'INVALID_INPUT', `${input.method} is not allowed`), allow: 'GET, HEAD' };
  }
  if (path === '/healthz') return { status: 200, contentType: JSON_TYPE, body: '{"status":"ok"}' };
  return { status: 200, contentType: EXPOSITION_CONTENT_TYPE, body: input.exposition() };
}

function send(res: ServerResponse, input: { reply: Reply; head: boolean }): void {
  const { reply } = input;
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'cache-control': 'no-store',
    ...(reply.allow ? { allow: reply.allow } : {}),
  });
  res.end(input.head ? undefined : reply.body);
}

/**
 * Listen on host:port and serve the worker's metrics.
 * @throws AppError CONFIG_INVALID when the port is taken or the host cannot be bound, naming the variable.
 */
export async function startWorkerMetricsServer(options: WorkerMetricsServerOptions): Promise<WorkerMetricsServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    let reply: Reply;
    try {
      reply = route({ method, url: req.url ?? '/', exposition: options.exposition });
    } catch {
      // The exposition never throws by design; if it did, the scrape fails, never the worker.
      reply = errorReply(500, 'INTERNAL', 'the exposition failed');
    }
    send(res, { reply, head: method === 'HEAD' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${error.code ?? error.message})`;
      reject(
        new AppError('CONFIG_INVALID', `COPILOT_WORKER_METRICS_PORT: ${options.host}:${options.port} ${why}`, {
          cause: error,
        }),
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  // A TCP listen always reports an AddressInfo; a string would be a pipe, null a closed server.
  if (address === null || typeof address === 'string') throw new AppError('CONFIG_INVALID', 'metrics server: no port');
  const { port } = address;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps scrape connections alive; without this, close() waits for them to idle out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
