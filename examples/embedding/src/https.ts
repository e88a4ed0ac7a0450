// Recipe: Volley over TLS (wss://) on a node:https server. In production the key and
// certificate come from your CA (or a TLS-terminating proxy in front does this part).
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer } from '@volley/server';
import { createApiRouter, type Running } from './router.js';

export async function startOverTls(
  tls: { key: string | Buffer; cert: string | Buffer },
  port = 0,
  host = '127.0.0.1',
): Promise<Running> {
  const httpsServer = createHttpsServer(tls, (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('ok');
  });
  const volley = createServer({ router: createApiRouter('tls') });
  volley.attach(httpsServer, { path: '/rpc' });
  await new Promise<void>((resolve) => httpsServer.listen(port, host, resolve));
  return {
    port: (httpsServer.address() as AddressInfo).port,
    async close() {
      await volley.close();
      await new Promise<void>((resolve) => {
        httpsServer.close(() => resolve());
        httpsServer.closeAllConnections();
      });
    },
  };
}
