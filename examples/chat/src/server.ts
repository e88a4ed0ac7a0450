import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer } from '@volley/server';
import { chatContext, createChatRouter } from './router.js';
import { serveFiles } from './static-files.js';

const server = createServer({
  router: createChatRouter(),
  createContext: ({ request }) => chatContext(request.url),
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
