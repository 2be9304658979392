import type { Api } from './app.ts';

/**
 * The only file that calls `Bun.serve` (style convention 2). Bun's own body limit sits well above the API's, so that
 * a merely oversized body reaches the API and gets its JSON 413; only absurd ones are cut off by Bun itself.
 */
export function serveApi(input: { api: Api; host: string; port: number }) {
  return Bun.serve({
    hostname: input.host,
    port: input.port,
    maxRequestBodySize: 16 * 1024 * 1024,
    fetch: input.api.fetch,
    error: () =>
      new Response(JSON.stringify({ error: { code: 'INTERNAL', message: 'internal error' } }), {
        status: 500,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      }),
  });
}
