import { afterAll, expect, test } from 'bun:test';
import { serveApi } from '../../src/api/index.ts';
import { StatusResponse } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { apiError, seedTwoClusters, shape, testApi } from './helpers.ts';

const db = await openPostgres();
await seedTwoClusters(db.sql);
afterAll(() => db.close());

test('a real Bun.serve server: status, a 413 for a large body, CORS on the wire', async () => {
  const api = testApi(db.sql, { corsOrigins: ['http://localhost:3000'] });
  await api.refresh();
  using server = serveApi({ api, host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  const status = await fetch(`${base}/status?cluster=alpha`, { headers: { Origin: 'http://localhost:3000' } });
  expect(status.status).toBe(200);
  expect(status.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  expect(shape(StatusResponse, await status.json()).health_state).toBe('critical');
  const big = await fetch(`${base}/actions`, { method: 'POST', body: 'x'.repeat(200_000) });
  expect(big.status).toBe(413);
  apiError(await big.json());
});

/** One raw HTTP/1.1 exchange, so the test sees the bytes Bun sends (fetch would hide a HEAD's Content-Length). */
async function rawHead(port: number, path: string, headers: Record<string, string>): Promise<string> {
  const { promise, resolve } = Promise.withResolvers<string>();
  let text = '';
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const socket = await Bun.connect({
    hostname: '127.0.0.1',
    port,
    socket: {
      data(_socket, chunk) {
        text += new TextDecoder().decode(chunk);
        if (text.includes('\r\n\r\n')) resolve(text);
      },
      open(s) {
        s.write(`HEAD ${path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n${lines.join('')}\r\n`);
      },
    },
  });
  const reply = await promise;
  socket.end();
  return reply;
}

test('HEAD on the wire: no body, and the Content-Length of the GET (memoized, general and gzip paths)', async () => {
  const api = testApi(db.sql, { corsOrigins: ['http://localhost:3000'] });
  await api.refresh();
  using server = serveApi({ api, host: '127.0.0.1', port: 0 });
  const cases: [string, Record<string, string>][] = [
    ['/status?cluster=alpha', {}],
    ['/status?cluster=alpha', { 'Accept-Encoding': 'gzip' }],
    ['/status?cluster=alpha', { Origin: 'http://localhost:3000' }],
    ['/clusters', {}],
    ['/ui/app.js', { 'Accept-Encoding': 'gzip' }],
  ];
  const port = server.port ?? 0;
  for (const [path, headers] of cases) {
    const get = await fetch(`http://127.0.0.1:${port}${path}`, { headers, decompress: false });
    const length = (await get.arrayBuffer()).byteLength;
    const head = await rawHead(port, path, headers);
    const [statusLine = '', ...fields] = head.split('\r\n\r\n')[0]?.split('\r\n') ?? [];
    const contentLength = fields
      .find((f) => /^content-length:/i.test(f))
      ?.split(':')[1]
      ?.trim();
    expect({ path, headers, statusLine, contentLength, rest: head.split('\r\n\r\n')[1] }).toEqual({
      path,
      headers,
      statusLine: 'HTTP/1.1 200 OK',
      contentLength: String(length),
      rest: '',
    });
    expect(length).toBeGreaterThan(0);
  }
});

test('a handler that throws, synchronous or not, is a JSON 500 logged once; nothing escapes', async () => {
  const logged: string[] = [];
  let broken = false;
  const api = testApi(db.sql, {
    now: () => {
      if (broken) throw new Error('clock broke');
      return Date.now();
    },
    log: (message) => logged.push(message),
  });
  await api.refresh();
  broken = true;
  for (const path of ['/status?cluster=alpha', '/status/summary', '/status/timeline?cluster=alpha']) {
    const reply = await api.fetch(new Request(`http://test${path}`));
    expect([path, reply.status, apiError(await reply.json()).error.code]).toEqual([path, 500, 'INTERNAL']);
  }
  expect(logged.filter((m) => m === 'unexpected error')).toHaveLength(3);
});
