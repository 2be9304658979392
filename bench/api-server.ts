// One server for bench/api.ts, in its own process so its RSS is its own: `api` serves the copilot API over the
// Postgres URL given; `bare` is a bare Bun.serve handler, the baseline, answering a tiny JSON body or, given a file,
// that file's bytes (the API's own /status body, so the ratio measures the API's overhead, not the body's size), with
// `Content-Encoding: gzip` when a third argument says `gzip` (the file then holds the compressed body).
// `floor` is the least any correct /status handler does: it reads the URL and the four request headers the answer
// depends on, and sends the given compressed bytes with the API's own response headers (a JSON file).
// Prints {"port": N} once listening. Run by bench/api.ts:
//   bun bench/api-server.ts api DATABASE_URL | bare [BODY_FILE [gzip]] | floor BODY_FILE HEADERS_FILE
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { createApi, serveApi } from '../src/api/index.ts';

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
  const headers = new Headers(JSON.parse(readFileSync(encoding, 'utf8')) as Record<string, string>);
  const seen = new Map<string, number>();
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => {
      const h = req.headers;
      const read = [req.url, req.method, h.get('origin'), h.get('accept-encoding'), h.get('if-none-match')];
      // Keeps the reads from being optimized away, at the cost of one map update (the API counts requests too).
      seen.set(read[0] ?? '', (seen.get(read[0] ?? '') ?? 0) + (h.get('authorization') === null ? 1 : 0));
      return new Response(body, { headers });
    },
  });
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
