/**
 * Redaction for untrusted log text before it is stored, served or shown to an LLM. Each rule replaces a secret with a
 * marker that no rule matches again, so redaction is idempotent.
 */
export interface RedactOptions {
  /** Also mask IPv4 addresses (off by default: node addresses are often useful evidence). @default false */
  redactIps?: boolean;
}

const REDACTED = '[REDACTED]';

interface Rule {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

// Order matters: credentials inside URLs and bearer tokens go first, so the key=value rule below never leaves the
// second half of "Authorization: Bearer <token>" behind.
const RULES: readonly Rule[] = [
  // scheme://user:password@host → keep the scheme, drop both user and password.
  { pattern: /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^\s/?#@]+@/gi, replace: (_m, scheme) => `${scheme}${REDACTED}@` },
  {
    pattern: /\b(Bearer|Basic|Token)\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/=]{6,}/gi,
    replace: (_m, kind) => `${kind} ${REDACTED}`,
  },
  // JSON Web Tokens: three base64url parts starting with a JSON header.
  { pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replace: () => '[REDACTED:jwt]' },
  // AWS access key ids (long-term AKIA, temporary ASIA and the other documented prefixes).
  {
    pattern: /(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}/g,
    replace: () => '[REDACTED:aws-key]',
  },
  // key=value / "key": "value" pairs whose key names a secret.
  {
    pattern:
      /\b([A-Za-z0-9_-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credential|authorization)s?)(["']?\s*[:=]\s*["']?)(?!\[REDACTED)[^\s"',;&}]+/gi,
    replace: (_m, key, separator) => `${key}${separator}${REDACTED}`,
  },
  { pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, replace: () => '[REDACTED:email]' },
];

const IPV4: Rule = {
  pattern: /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])/g,
  replace: () => '[REDACTED:ip]',
};

/** Mask secrets in `text`: URL credentials, bearer/basic tokens, JWTs, AWS key ids, secret-named values, emails. */
export function redactSecrets(text: string, options: RedactOptions = {}): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace);
  if (options.redactIps) out = out.replace(IPV4.pattern, IPV4.replace);
  return out;
}

// Built from the code point so the source holds no literal control character (ESC, 0x1b).
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;?]*[A-Za-z]`, 'g');

/** Remove control and format characters (ANSI escapes, NUL, bidi overrides); line breaks and tabs become spaces. */
export function stripControlCharacters(text: string): string {
  return text
    .replace(ANSI_ESCAPE, '')
    .replace(/[\t\n\r\v\f]+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '');
}

export interface SanitizeOptions extends RedactOptions {
  /** @default 300 */
  maxChars?: number;
}

/**
 * Make an untrusted log line safe to store and show: control characters stripped, secrets redacted, then truncated
 * (redacting first, so a cut can never split a secret into an unrecognizable, unredacted prefix).
 */
export function sanitizeLogSample(text: string, options: SanitizeOptions = {}): string {
  const maxChars = options.maxChars ?? 300;
  const clean = redactSecrets(stripControlCharacters(text), options).trim();
  if (clean.length <= maxChars) return clean;
  // Leave room for the ellipsis and never end on half a surrogate pair.
  const cut = clean.slice(0, maxChars - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}
