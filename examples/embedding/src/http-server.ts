// Recipe: Volley on /rpc of an existing node:http server, beside its normal routes.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from '@volley/server';
import { createApiRouter, type Running } from './router.js';

export async function startOnHttpServer(port = 0, host = '127.0.0.1'): Promise<Running> {
  const httpServer = createHttpServer((request, response) => {
    if (request.url === '/health') {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('ok');
      return;
    }
    response.writeHead(404);
    response.end();
  });
  const volley = createServer({ router: createApiRouter('http') });
  // Upgrades to /rpc are Volley's; other upgrades are refused with 404.
  volley.attach(httpServer, { path: '/rpc' });
  await new Promise<void>((resolve) => httpServer.listen(port, host, resolve));
  return {
    port: (httpServer.address() as AddressInfo).port,
    async close() {
      await volley.close(); // closes Volley's sockets (1001), not the http server
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}
