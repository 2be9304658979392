import { afterAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { createSigV4Signer } from '../../../src/clients/aws/index.ts';
import { verifySigV4 } from '../../support/sigv4-verifier.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDAMPTEST000000000',
  secretAccessKey: 'amp/test+secret/key0000000000000000000000',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE//session+token==',
};
const REGION = 'us-west-2';

/** An "AMP-like" server: verifies SigV4 on what arrives, then answers with the PromQL it decoded (as Go would). */
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(request) {
    const body = new Uint8Array(await request.arrayBuffer());
    const verdict = verifySigV4({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      region: REGION,
      service: 'aps',
      credentials: [CREDENTIALS],
    });
    if (!verdict.ok) return Response.json({ message: verdict.reason }, { status: 403 });
    const form =
      request.method === 'POST' ? new TextDecoder().decode(body) : new URL(request.url).search.replace(/^\?/, '');
    const params = new URLSearchParams(form);
    return Response.json({ status: 'success', data: { resultType: 'vector', result: [] }, echo: params.get('query') });
  },
});
afterAll(() => server.stop(true));

const base = `http://127.0.0.1:${server.port}/workspaces/ws-12345678-abcd/api/v1/query`;
const sign = createSigV4Signer({ region: REGION, service: 'aps', credentials: async () => CREDENTIALS });

const TRICKY_PROMQL = [
  'up',
  'sum by (job) (rate(http_requests_total{job=~"api|web", path!="/a b"}[5m]))',
  '{__name__=~".+", instance="10.0.0.1:9090"}',
  'up{instance="a+b"} + 1',
  `label_replace(up, "dst", "$1", "src", "(.*)") * on() group_left() vector(1)`,
  `up{msg='it\\'s "quoted"', path="C:\\\\temp"}`,
  'up{team="ünïcødé ☃ 東京"}',
  'up{a="50%&b=c#frag?x=1;y"} / 2',
  `histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) > 0.5 or ${'up'.repeat(900)}`,
];

async function send(request: Request) {
  const response = await fetch(await sign(request));
  const json = (await response.json()) as { echo?: string; message?: string };
  return { status: response.status, echo: json.echo, message: json.message };
}

describe('SigV4 against a local verifying server', () => {
  test.each(TRICKY_PROMQL.map((q) => [q.slice(0, 60), q] as const))('GET %s', async (_label, query) => {
    const url = `${base}?query=${encodeURIComponent(query)}&time=1730000000.5`;
    expect(await send(new Request(url))).toEqual({ status: 200, echo: query, message: undefined });
  });

  test.each(TRICKY_PROMQL.map((q) => [q.slice(0, 60), q] as const))('form POST %s', async (_label, query) => {
    const request = new Request(base, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query, time: '1730000000.5' }).toString(),
    });
    expect(await send(request)).toEqual({ status: 200, echo: query, message: undefined });
  });

  test('a GET query built with URLSearchParams (space as +) still verifies and decodes the same', async () => {
    const query = 'sum(rate(a{b="c d"}[1m])) + 1';
    const url = `${base}?${new URLSearchParams({ query }).toString()}`;
    expect(await send(new Request(url))).toEqual({ status: 200, echo: query, message: undefined });
  });

  test('arbitrary unicode PromQL strings survive GET and POST', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }), async (query) => {
        const get = await send(new Request(`${base}?query=${encodeURIComponent(query)}`));
        const post = await send(
          new Request(base, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ query }).toString(),
          }),
        );
        // Lone surrogates cannot be UTF-8 encoded; both sides replace them the same way.
        const expected = new TextDecoder().decode(new TextEncoder().encode(query));
        expect(get).toEqual({ status: 200, echo: expected, message: undefined });
        expect(post).toEqual({ status: 200, echo: expected, message: undefined });
      }),
      { numRuns: 60 },
    );
  });

  test('a path with escaped characters is signed with the non-S3 double escaping the server applies', async () => {
    const url = `http://127.0.0.1:${server.port}/prod/a%20b/%E1%88%B4/api/v1/query?query=up`;
    expect(await send(new Request(url))).toEqual({ status: 200, echo: 'up', message: undefined });
    const singleEscaped = createSigV4Signer({
      region: REGION,
      service: 'aps',
      credentials: async () => CREDENTIALS,
      uriEscapePath: false,
    });
    expect((await fetch(await singleEscaped(new Request(url)))).status).toBe(403);
  });

  test('the verifier rejects a request whose query changed after signing', async () => {
    const signed = await sign(new Request(`${base}?query=up`));
    const tampered = new Request(signed.url.replace('query=up', 'query=down'), { headers: signed.headers });
    const response = await fetch(tampered);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe('signature mismatch');
  });

  test('the verifier rejects a POST whose body changed after signing', async () => {
    const signed = await sign(
      new Request(base, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'query=up',
      }),
    );
    const response = await fetch(
      new Request(signed.url, { method: 'POST', headers: signed.headers, body: 'query=down' }),
    );
    expect(response.status).toBe(403);
  });

  test('the verifier rejects a signature made for another region', async () => {
    const wrong = createSigV4Signer({ region: 'eu-west-1', service: 'aps', credentials: async () => CREDENTIALS });
    const response = await fetch(await wrong(new Request(`${base}?query=up`)));
    expect(response.status).toBe(403);
  });

  test('signed requests carry the session token and the payload hash', async () => {
    const signed = await sign(new Request(`${base}?query=up`));
    expect(signed.headers.get('x-amz-security-token')).toBe(CREDENTIALS.sessionToken);
    expect(signed.headers.get('x-amz-content-sha256')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
