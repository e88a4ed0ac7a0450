import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createRedisEngine } from '@volley/redis';
import { createServer } from '@volley/server';
import { chatContext, createChatRouter } from './router.js';
import { serveFiles } from './static-files.js';

// With VOLLEY_REDIS_URL set, rooms are shared through Redis, so several chat servers
// (behind nginx: see examples/nginx) act as one.
const redisUrl = process.env.VOLLEY_REDIS_URL;
const server = createServer({
  router: createChatRouter({
    engine: redisUrl ? createRedisEngine({ redis: redisUrl }) : undefined,
  }),
  createContext: ({ request }) => chatContext(request.url),
  trustProxy: process.env.VOLLEY_TRUST_PROXY === '1' ? 1 : false,
});
// The browser page (examples/chat-web) and the WebSocket share one port.
const page = fileURLToPath(new URL('../../chat-web/dist/', import.meta.url));
const http = createHttpServer(
  serveFiles(page, 'The page is not built: run `pnpm --filter chat-web-example build`.'),
);
server.attach(http);
await once(http.listen(Number(process.env.PORT ?? 3001)), 'listening');
const { port } = http.address() as AddressInfo;
console.log(`Chat server on ws://localhost:${port}`);
console.log(`Chat page on http://localhost:${port}/`);

// Ctrl-C or SIGTERM: close gracefully (sockets end with 1001), then exit 0. Once only:
// under pnpm, Ctrl-C arrives twice (from the terminal and passed on by pnpm).
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    await server.close();
    // The page's HTTP server is ours, not Volley's: server.close() leaves it to us.
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    process.exit(0);
  });
}
