// The page's files, built with the package (`tsup` bundles `src/page` and @volley/client into
// `assets/`), read once when an inspector is made and served from memory with strict headers.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';

/**
 * The Content-Security-Policy the page is served with: its own script, style and WebSocket
 * only. No inline script or style, no other origin, no framing, no forms.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer under the inspector's path, refusals included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** A file of the page, in memory. */
interface Asset {
  body: Buffer;
  type: string;
}

/** The page's files by the name they are served under (relative to the inspector's path). */
export type PageAssets = ReadonlyMap<string, Asset>;

const FILES: ReadonlyArray<[name: string, file: string, type: string]> = [
  ['', 'index.html', 'text/html; charset=utf-8'],
  ['app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['app.css', 'app.css', 'text/css; charset=utf-8'],
];

/**
 * Reads the built page from `dir` (the package's `assets/`, beside `dist/` and `src/`).
 *
 * @throws Error when a file is missing: the package was not built.
 */
export function loadPageAssets(dir: URL = new URL('../assets/', import.meta.url)): PageAssets {
  const assets = new Map<string, Asset>();
  for (const [name, file, type] of FILES) {
    try {
      assets.set(name, { body: readFileSync(new URL(file, dir)), type });
    } catch (error) {
      throw new Error(
        `@volley/inspector: its page is missing (${new URL(file, dir).pathname}); build the package first (pnpm build)`,
        { cause: error },
      );
    }
  }
  return assets;
}

/** Answers with `status` and a short text, with the security headers. */
export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

/** Answers with one of the page's files. */
export function sendAsset(response: ServerResponse, asset: Asset): void {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': asset.type,
    'Content-Length': String(asset.body.length),
  });
  response.end(response.req.method === 'HEAD' ? undefined : asset.body);
}
