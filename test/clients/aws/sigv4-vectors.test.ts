import { describe, expect, test } from 'bun:test';
import { createSigV4Signer } from '../../../src/clients/aws/index.ts';
import { STS_TOKEN_VECTOR, SUITE, VECTORS } from '../../fixtures/sigv4-suite.ts';

const clock = () => SUITE.signingDateMs;
const credentials = async () => ({ accessKeyId: SUITE.accessKeyId, secretAccessKey: SUITE.secretAccessKey });

describe('AWS SigV4 test suite through createSigV4Signer', () => {
  test.each(VECTORS.map((vector) => [vector.name, vector] as const))('%s', async (_name, vector) => {
    const sign = createSigV4Signer({
      region: SUITE.region,
      service: SUITE.service,
      credentials,
      clock,
      applyChecksum: false,
      uriEscapePath: vector.rawPathEncodedOnWire !== true,
    });
    const request = new Request(vector.url, {
      method: vector.method,
      headers: vector.headers,
      ...(vector.body === undefined ? {} : { body: vector.body }),
    });
    const signed = await sign(request);
    expect(signed.headers.get('authorization')).toBe(vector.authorization);
    expect(signed.headers.get('x-amz-date')).toBe('20150830T123600Z');
    expect(signed.headers.has('host')).toBe(false);
    if (vector.body !== undefined) expect(await signed.text()).toBe(vector.body);
  });

  test('post-sts-header-before: a session token from the provider is sent and signed', async () => {
    const sign = createSigV4Signer({
      region: SUITE.region,
      service: SUITE.service,
      credentials: async () => ({ ...(await credentials()), sessionToken: STS_TOKEN_VECTOR.sessionToken }),
      clock,
      applyChecksum: false,
    });
    const signed = await sign(new Request('https://example.amazonaws.com/', { method: 'POST' }));
    expect(signed.headers.get('authorization')).toBe(STS_TOKEN_VECTOR.authorization);
    expect(signed.headers.get('x-amz-security-token')).toBe(STS_TOKEN_VECTOR.sessionToken);
  });

  test('a wrong secret changes the signature (the vectors can fail)', async () => {
    const sign = createSigV4Signer({
      region: SUITE.region,
      service: SUITE.service,
      credentials: async () => ({ accessKeyId: SUITE.accessKeyId, secretAccessKey: 'not-the-example-key' }),
      clock,
      applyChecksum: false,
    });
    const signed = await sign(new Request('https://example.amazonaws.com/', { headers: { 'x-amz-date': 'x' } }));
    expect(signed.headers.get('authorization')).not.toBe(VECTORS[0]?.authorization);
  });

  test('the query on the wire is the canonical query that was signed', async () => {
    const sign = createSigV4Signer({ region: 'us-east-1', service: 'aps', credentials, clock });
    const signed = await sign(new Request("https://h.example/q?z=1&query=a+b%2Bc&a=it's(*)!&a=0"));
    expect(new URL(signed.url).search).toBe('?a=0&a=it%27s%28%2A%29%21&query=a%20b%2Bc&z=1');
  });
});
