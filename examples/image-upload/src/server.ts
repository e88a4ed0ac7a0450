// Serves the page (built into dist/ by `pnpm --filter image-upload-example build`) and the
// router, on one port, with the MessagePack codec on: `pnpm --filter image-upload-example start`.
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '@volley/server';
import { msgpack } from '@volley/server/msgpack';
import { router } from './router.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

/** Starts the page and the Volley server on `port` (0: any free one). */
export async function startImageServer(
  port = 0,
): Promise<{ http: Server; port: number; close(): Promise<void> }> {
  const volley = createServer({ router, codecs: [msgpack] });
  const http = createHttpServer(async (request, response) => {
    const path =
      request.url === '/' || request.url === undefined ? '/index.html' : request.url.split('?')[0]!;
    if (!/^\/[\w.-]+$/.test(path)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(DIST + path.slice(1));
      response.writeHead(200, {
        'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end('Not found: build the page first');
    }
  });
  const detach = volley.attach(http, { path: '/rpc' });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    http,
    port: (http.address() as AddressInfo).port,
    async close() {
      detach();
      await volley.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { port } = await startImageServer(Number(process.env.PORT ?? 3000));
  console.log(`Image upload page on http://localhost:${port}/`);
}
