import type { Socket, TCPSocketListener } from 'bun';

/**
 * A TCP proxy in front of a real server, for outage tests: `down()` drops every open connection and closes each new
 * one at once (the client sees a reset, as when the database restarts); `up()` forwards again.
 */
export interface TcpProxy extends AsyncDisposable {
  port: number;
  down(): void;
  up(): void;
  /** Connections refused while down. */
  refused(): number;
}

interface Pair {
  upstream: Socket<undefined> | null;
  pending: Uint8Array[];
}

export async function startTcpProxy(input: { targetHost: string; targetPort: number }): Promise<TcpProxy> {
  let isDown = false;
  let refusedCount = 0;
  const open = new Set<Socket<Pair>>();
  const listener: TCPSocketListener<Pair> = Bun.listen<Pair>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(client) {
        if (isDown) {
          refusedCount += 1;
          client.end();
          return;
        }
        client.data = { upstream: null, pending: [] };
        open.add(client);
        void Bun.connect<undefined>({
          hostname: input.targetHost,
          port: input.targetPort,
          socket: {
            data(_upstream, chunk) {
              client.write(chunk);
            },
            close() {
              client.end();
            },
            error() {
              client.end();
            },
          },
        }).then(
          (upstream) => {
            client.data.upstream = upstream;
            for (const chunk of client.data.pending) upstream.write(chunk);
            client.data.pending = [];
          },
          () => client.end(),
        );
      },
      data(client, chunk) {
        if (client.data.upstream) client.data.upstream.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        open.delete(client);
        client.data?.upstream?.end();
      },
      error(client) {
        open.delete(client);
        client.data?.upstream?.end();
      },
    },
  });
  return {
    port: listener.port,
    down() {
      isDown = true;
      for (const client of open) {
        client.data.upstream?.end();
        client.end();
      }
      open.clear();
    },
    up() {
      isDown = false;
    },
    refused: () => refusedCount,
    [Symbol.asyncDispose]: async () => {
      listener.stop(true);
    },
  };
}
