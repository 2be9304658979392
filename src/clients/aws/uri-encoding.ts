/**
 * RFC 3986 percent-encoding as SigV4 canonicalizes it: everything except `A-Z a-z 0-9 - . _ ~` is escaped, so
 * `encodeURIComponent`'s leftovers `! ' ( ) *` are escaped too and a space is `%20`, never `+`.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Query parameters as SigV4 signers take them: decoded keys, one value or several for a repeated key. */
export type QueryBag = Record<string, string | string[]>;

/**
 * Decode a URL's query the way Go's `url.ParseQuery` (Prometheus, Loki) reads it: `+` is a space and `%XX` escapes
 * are decoded. Repeated keys keep every value.
 */
export function decodeQuery(search: string): QueryBag {
  const bag: QueryBag = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = bag[key];
    if (existing === undefined) bag[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else bag[key] = [existing, value];
  }
  return bag;
}

/**
 * Serialize a query bag in SigV4 canonical form (pairs sorted by encoded key, then encoded value). Putting exactly
 * this on the wire means the server's canonical query is the bytes we signed, whatever its decoding rules are.
 */
export function encodeCanonicalQuery(bag: QueryBag): string {
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(bag)) {
    const encodedKey = encodeRfc3986(key);
    for (const item of Array.isArray(value) ? value : [value]) pairs.push([encodedKey, encodeRfc3986(item)]);
  }
  pairs.sort(([ka, va], [kb, vb]) => (ka === kb ? compare(va, vb) : compare(ka, kb)));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
