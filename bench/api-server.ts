// One server for bench/api.ts, in its own process so its RSS is its own: `api` serves the copilot API over the
// Postgres URL given; `bare` is a bare Bun.serve handler, the baseline. Prints {"port": N} once listening.
// Run by bench/api.ts: bun bench/api-server.ts api|bare [DATABASE_URL]
import postgres from 'postgres';
import { createApi, serveApi } from '../src/api/index.ts';

const [mode, url] = process.argv.slice(2);
if (mode === 'bare') {
  const body = JSON.stringify({ health_state: 'happy' });
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () => new Response(body, { headers: { 'Content-Type': 'application/json; charset=utf-8' } }),
  });
  console.log(JSON.stringify({ port: server.port }));
} else if (mode === 'api' && url) {
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const api = createApi({ sql, staleAfterMs: 3_600_000 });
  await api.refresh();
  api.start();
  const server = serveApi({ api, host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ port: server.port }));
} else {
  console.error('usage: bun bench/api-server.ts api DATABASE_URL | bare');
  process.exit(2);
}
