// One server for bench/api.ts, in its own process so its RSS is its own: `api` serves the copilot API over the
// Postgres URL given; `bare` is a bare Bun.serve handler, the baseline, answering a tiny JSON body or, given a file,
// that file's bytes (the API's own /status body, so the ratio measures the API's overhead, not the body's size), with
// `Content-Encoding: gzip` when a third argument says `gzip` (the file then holds the compressed body).
// `floor` is the least any correct /status handler does: it reads the URL, the method and the request headers the
// answer depends on, and sends the given compressed bytes with the API's own response headers (a JSON file).
// Prints {"port": N} once listening. Run by bench/api.ts:
//   bun bench/api-server.ts api DATABASE_URL | bare [BODY_FILE [gzip]] | floor BODY_FILE HEADERS_FILE
import { readFileSync } from 'node:fs';
import { type } from 'arktype';
import postgres from 'postgres';
import { createApi, serveApi } from '../src/api/index.ts';

const HeaderFile = type('Record<string, string>');
const [mode, arg, encoding] = process.argv.slice(2);
if (mode === 'bare') {
  const body = arg ? new Uint8Array(readFileSync(arg)) : JSON.stringify({ health_state: 'happy' });
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
  if (encoding === 'gzip') headers['Content-Encoding'] = 'gzip';
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () => new Response(body, { headers }),
  });
  console.log(JSON.stringify({ port: server.port }));
} else if (mode === 'floor' && arg && encoding) {
  const body = new Uint8Array(readFileSync(arg));
  const headers = new Headers(HeaderFile.assert(JSON.parse(readFileSync(encoding, 'utf8'))));
  // Sent the cheapest way Bun offers, a clone of a ready response, as the API sends its memoized bodies.
  const ready = new Response(body, { headers });
  let sink = 0;
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    // What the API reads of a /status request when no origin and no token are configured, and nothing more.
    fetch: (req) => {
      const h = req.headers;
      sink += req.url.length + req.method.length;
      sink += (h.get('accept-encoding') ?? '').length + (h.get('if-none-match') ?? '').length;
      sink += h.has('content-length') || h.has('transfer-encoding') ? 1 : 0;
      return ready.clone();
    },
  });
  process.on('SIGTERM', () => process.exit(sink > 0 ? 0 : 1));
  console.log(JSON.stringify({ port: server.port }));
} else if (mode === 'api' && arg) {
  const sql = postgres(arg, { max: 4, onnotice: () => {} });
  const api = createApi({ sql, staleAfterMs: 3_600_000 });
  await api.refresh();
  api.start();
  const server = serveApi({ api, host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ port: server.port }));
} else {
  console.error('usage: bun bench/api-server.ts api DATABASE_URL | bare [BODY_FILE [gzip]] | floor BODY HEADERS');
  process.exit(2);
}
