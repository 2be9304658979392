import { readFileSync } from 'node:fs';
import type { Handler } from './context.ts';
import { gzipRepresentation } from './encoding.ts';
import { type ApiResult, etagOf } from './http.ts';

/**
 * The status page at `/`: one static HTML file, its script and its stylesheet, served as separate same-origin files
 * so that the page's Content-Security-Policy can forbid every inline script and style. The files hold no data: the
 * script reads the same JSON routes Grafana reads, so the page can never show something the API does not say.
 */

/**
 * Only same-origin script, style, fetch and images; no inline code, no plugins, no framing, no form posts. The JSON
 * routes keep the stricter `default-src 'none'` of SECURITY_HEADERS.
 * @see https://www.w3.org/TR/CSP3/
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  file: string;
  contentType: string;
}

export const PAGE_ASSETS = {
  page: { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  script: { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  style: { file: 'app.css', contentType: 'text/css; charset=utf-8' },
  // Named in the page, so the browser does not also ask for /favicon.ico (a 404 in every page load's console).
  icon: { file: 'icon.svg', contentType: 'image/svg+xml' },
} as const satisfies Record<string, Asset>;

// Read once at load: the files ship with the source, and a missing one should fail the start, not the first visit.
const TEXT: Readonly<Record<keyof typeof PAGE_ASSETS, string>> = {
  page: readFileSync(new URL(`./ui/${PAGE_ASSETS.page.file}`, import.meta.url), 'utf8'),
  script: readFileSync(new URL(`./ui/${PAGE_ASSETS.script.file}`, import.meta.url), 'utf8'),
  style: readFileSync(new URL(`./ui/${PAGE_ASSETS.style.file}`, import.meta.url), 'utf8'),
  icon: readFileSync(new URL(`./ui/${PAGE_ASSETS.icon.file}`, import.meta.url), 'utf8'),
};

function asset(name: keyof typeof PAGE_ASSETS): Handler {
  const body = TEXT[name];
  const result: ApiResult = {
    status: 200,
    body: null,
    // Revalidated by ETag like the JSON routes, so a new deployment's page is picked up on the next load; the ETags
    // and the compressed copy are computed here, once, not per visit.
    conditional: true,
    text: { body, contentType: PAGE_ASSETS[name].contentType, etag: etagOf(body), gzip: gzipRepresentation({ body }) },
    headers: { 'Content-Security-Policy': PAGE_CSP },
  };
  return () => result;
}

export const getPage = asset('page');
export const getScript = asset('script');
export const getStyle = asset('style');
export const getIcon = asset('icon');
