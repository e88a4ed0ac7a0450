// Serves a directory of built files over plain HTTP: the browser chat page
// (examples/chat-web) beside the WebSocket, on the same port.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// The page loads nothing from elsewhere, so the browser may refuse anything that tries.
const HEADERS = {
  'Cache-Control': 'no-cache',
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
};

/**
 * A `node:http` request handler for the files in `directory`: `GET` and `HEAD` only,
 * `/` is `index.html`, and nothing outside `directory` or of an unknown type is served
 * (404). `missing` is the body of the 404 for `/`, to say how to build the page.
 */
export function serveFiles(directory: string, missing: string) {
  const root = normalize(directory + sep);
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400).end(); // a malformed %-escape
      return;
    }
    const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
    const type = CONTENT_TYPES[extname(file)];
    const body = file.startsWith(root) && type ? await readFile(file).catch(() => null) : null;
    if (body === null) {
      const text = pathname === '/' ? missing : 'Not Found';
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
      return;
    }
    response.writeHead(200, { ...HEADERS, 'Content-Type': type, 'Content-Length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
}
