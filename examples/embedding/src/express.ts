// Recipe: Volley beside an Express app. Express handles requests; the http server it
// listens on emits 'upgrade', which Volley takes for /rpc.
import type { AddressInfo } from 'node:net';
import { createServer } from '@volley/server';
import express from 'express';
import { createApiRouter, type Running } from './router.js';

export async function startWithExpress(port = 0, host = '127.0.0.1'): Promise<Running> {
  const app = express();
  app.get('/health', (_request, response) => {
    response.type('text').send('ok');
  });
  const volley = createServer({ router: createApiRouter('express') });
  const httpServer = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(port, host, () => resolve(listening));
  });
  volley.attach(httpServer, { path: '/rpc' });
  return {
    port: (httpServer.address() as AddressInfo).port,
    async close() {
      await volley.close();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}
