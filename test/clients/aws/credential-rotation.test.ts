import { afterAll, expect, test } from 'bun:test';
import { createRefreshingProvider, createSigV4Signer } from '../../../src/clients/aws/index.ts';
import { verifySigV4 } from '../../support/sigv4-verifier.ts';

const KEYS = [
  { accessKeyId: 'ASIAROTATION0000001', secretAccessKey: 'first/secret', sessionToken: 'token-one' },
  { accessKeyId: 'ASIAROTATION0000002', secretAccessKey: 'second/secret', sessionToken: 'token-two' },
];
const accepted: string[] = [];
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(request) {
    const verdict = verifySigV4({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: new Uint8Array(await request.arrayBuffer()),
      region: 'eu-west-1',
      service: 'execute-api',
      credentials: KEYS,
    });
    if (!verdict.ok) return new Response(verdict.reason, { status: 403 });
    accepted.push(verdict.accessKeyId);
    return new Response('ok');
  },
});
afterAll(() => server.stop(true));

test('rotated credentials are used for signing without rebuilding the signer', async () => {
  const T0 = Date.parse('2026-05-01T12:00:00Z');
  let nowMs = T0;
  let loads = 0;
  const credentials = createRefreshingProvider({
    clock: () => nowMs,
    load: async () => {
      const key = KEYS[Math.min(loads, 1)];
      loads += 1;
      if (key === undefined) throw new Error('no key');
      return { ...key, expirationMs: nowMs + 3_600_000 };
    },
  });
  const sign = createSigV4Signer({ region: 'eu-west-1', service: 'execute-api', credentials, clock: () => nowMs });
  const url = `http://127.0.0.1:${server.port}/prod/loki/api/v1/query_range?query=%7Bjob%3D%22x%22%7D`;
  expect((await fetch(await sign(new Request(url)))).status).toBe(200);
  nowMs = T0 + 3_600_001;
  expect((await fetch(await sign(new Request(url)))).status).toBe(200);
  expect(accepted).toEqual(['ASIAROTATION0000001', 'ASIAROTATION0000002']);
});
