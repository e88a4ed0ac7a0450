// Recipe: two Volley routers on one port, routed by path from your own 'upgrade'
// handler (ws's "noServer" mode): /public for everyone, /admin for another API.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from '@volley/server';
import { createApiRouter, type Running } from './router.js';

export async function startTwoRouters(port = 0, host = '127.0.0.1'): Promise<Running> {
  const httpServer = createHttpServer((_request, response) => {
    response.writeHead(404);
    response.end();
  });
  const publicApi = createServer({ router: createApiRouter('public') });
  const adminApi = createServer({ router: createApiRouter('admin') });
  httpServer.on('upgrade', (request, socket, head) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/public') publicApi.handleUpgrade(request, socket, head);
    else if (pathname === '/admin') adminApi.handleUpgrade(request, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => httpServer.listen(port, host, resolve));
  return {
    port: (httpServer.address() as AddressInfo).port,
    async close() {
      await Promise.all([publicApi.close(), adminApi.close()]);
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}
