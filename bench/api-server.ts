// One server for bench/api.ts, in its own process so its RSS is its own: `api` serves the copilot API over the
// Postgres URL given; `bare` is a bare Bun.serve handler, the baseline, answering a tiny JSON body or, given a file,
// that file's bytes (the API's own /status body, so the ratio measures the API's overhead, not the body's size).
// Prints {"port": N} once listening. Run by bench/api.ts: bun bench/api-server.ts api DATABASE_URL | bare [BODY_FILE]
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { createApi, serveApi } from '../src/api/index.ts';

const [mode, arg] = process.argv.slice(2);
if (mode === 'bare') {
  const body = arg ? new Uint8Array(readFileSync(arg)) : JSON.stringify({ health_state: 'happy' });
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () => new Response(body, { headers: { 'Content-Type': 'application/json; charset=utf-8' } }),
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
  console.error('usage: bun bench/api-server.ts api DATABASE_URL | bare [BODY_FILE]');
  process.exit(2);
}
