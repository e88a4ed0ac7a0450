// Serves the built page (`pnpm build` first) and the chat example's router on /rpc, on one
// port: `pnpm start`, then open http://localhost:3002/?name=Ada in two windows.
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createServer, type VolleyServer } from '@volley/server';
import { chatContext, createChatRouter } from '../../chat/src/router.js';
import { DIST } from './build.js';

const TYPES: Record<string, string> = { '/app.js': 'text/javascript', '/': 'text/html' };

/** An HTTP server for `dist/` with the chat on `/rpc`; `close()` stops both. */
export async function serveReactChat(port: number, host?: string) {
  const http: Server = createHttpServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const type = TYPES[path];
    if (type === undefined) return void response.writeHead(404).end();
    const file = path === '/' ? 'index.html' : path.slice(1);
    response.writeHead(200, { 'Content-Type': type }).end(await readFile(`${DIST}/${file}`));
  });
  const volley: VolleyServer = createServer({
    router: createChatRouter(),
    createContext: ({ request }) => chatContext(request.url),
  });
  volley.attach(http, { path: '/rpc' });
  await new Promise<void>((resolve) => http.listen(port, host, resolve));
  const address = http.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    async close() {
      await volley.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const served = await serveReactChat(Number(process.env.PORT ?? 3002));
  console.log(`React chat on http://localhost:${served.port}/?name=Ada`);
  // Ctrl-C or SIGTERM: close gracefully, then exit 0. Once only: under pnpm, Ctrl-C
  // arrives twice (from the terminal and passed on by pnpm).
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, async () => {
      if (closing) return;
      closing = true;
      await served.close();
      process.exit(0);
    });
  }
}
