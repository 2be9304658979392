import type { Socket, SocketHandler, TCPSocketListener } from 'bun';
import postgres from 'postgres';

/**
 * A TCP proxy in front of the test Postgres, so a test can cut the store off and bring it back without touching the
 * shared server: `break()` drops every connection and resets new ones, `heal()` lets them through again.
 */
export interface StoreProxy extends AsyncDisposable {
  port: number;
  break(): void;
  heal(): void;
}

interface Pair {
  upstream: Socket<undefined> | null;
  pending: Uint8Array[];
}

export async function startProxy(target: { host: string; port: number }): Promise<StoreProxy> {
  let broken = false;
  const clients = new Set<Socket<Pair>>();
  const handlers: SocketHandler<Pair> = {
    async open(client) {
      if (broken) {
        // Reset at once, as a host whose database is down does; a graceful end() here is not seen by the client.
        client.terminate();
        return;
      }
      clients.add(client);
      client.data = { upstream: null, pending: [] };
      const upstream = await Bun.connect({
        hostname: target.host,
        port: target.port,
        socket: {
          data: (_s, chunk) => void client.write(chunk),
          close: () => {
            client.end();
          },
          error: () => {
            client.end();
          },
        },
      });
      client.data.upstream = upstream;
      for (const chunk of client.data.pending) upstream.write(chunk);
      client.data.pending = [];
    },
    data(client, chunk) {
      if (client.data.upstream) client.data.upstream.write(chunk);
      else client.data.pending.push(new Uint8Array(chunk));
    },
    close(client) {
      clients.delete(client);
      client.data?.upstream?.end();
    },
    error(client) {
      client.data?.upstream?.end();
    },
  };
  const listener: TCPSocketListener<Pair> = Bun.listen<Pair>({ hostname: '127.0.0.1', port: 0, socket: handlers });
  return {
    port: listener.port,
    break() {
      broken = true;
      for (const client of clients) {
        client.data.upstream?.end();
        client.end();
      }
      clients.clear();
    },
    heal() {
      broken = false;
    },
    async [Symbol.asyncDispose]() {
      listener.stop(true);
    },
  };
}

/** A small pool to the database at `url` (a test database URL with its search_path), through the proxy on `port`. */
export function sqlThroughProxy(url: string, port: number): postgres.Sql {
  const direct = new URL(url);
  return postgres({
    host: '127.0.0.1',
    port,
    username: decodeURIComponent(direct.username),
    password: decodeURIComponent(direct.password),
    database: direct.pathname.slice(1),
    connection: { search_path: direct.searchParams.get('search_path') ?? 'public' },
    max: 2,
    connect_timeout: 5,
    onnotice: () => {},
  });
}
