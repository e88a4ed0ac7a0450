// Recipe: Volley beside a Fastify app, through Fastify's own http server (`app.server`)
// and its 'upgrade' event, which Fastify leaves alone.
import type { Duplex } from 'node:stream';
import { createServer } from '@volley/server';
import Fastify from 'fastify';
import { createApiRouter, type Running } from './router.js';

export async function startWithFastify(port = 0, host = '127.0.0.1'): Promise<Running> {
  const app = Fastify();
  app.get('/health', async () => 'ok');
  const volley = createServer({ router: createApiRouter('fastify') });
  app.server.on('upgrade', (request, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname === '/rpc') {
      volley.handleUpgrade(request, socket, head);
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  // Stop Volley before Fastify closes its server: `server.close()` waits for every open
  // socket, so with a client connected an onClose hook would never run.
  app.addHook('preClose', async () => {
    await volley.close();
  });
  await app.listen({ port, host });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () => app.close(),
  };
}
