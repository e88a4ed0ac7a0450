// Serving the router with options, as a strictest user writes it: values that may be
// absent (environment variables, optional config) flow into optional options.
import { createServer as createHttpServer } from 'node:http';
import { VolleyError } from '@volley/core';
import { createServer, type ErrorInfo } from '@volley/server';
import { appRouter, type Context } from './router.js';

interface Config {
  port?: number;
  maxPayload?: number;
  exposeErrors?: boolean;
  allowedOrigins?: readonly string[];
  apiVersion?: string;
}

// biome-ignore lint/complexity/useLiteralKeys: noPropertyAccessFromIndexSignature wants brackets.
const config: Config = JSON.parse(process.env['VOLLEY_CONFIG'] ?? '{}');

function report({ error, path, type }: ErrorInfo): void {
  process.stderr.write(`${type ?? 'server'} ${path ?? '-'}: ${String(error.cause ?? error)}\n`);
}

export const server = createServer({
  router: appRouter,
  createContext: ({ request, connectionParams }): Context => {
    const token = (connectionParams as { token?: unknown } | undefined)?.token;
    if (token !== undefined && typeof token !== 'string') {
      throw new VolleyError({ code: 'UNAUTHORIZED' });
    }
    const requestId = request.headers['x-request-id'];
    const user = token === undefined ? null : { id: token, name: token, admin: false };
    return typeof requestId === 'string' ? { user, requestId } : { user };
  },
  onError: report,
  maxPayload: config.maxPayload,
  exposeErrors: config.exposeErrors,
  maxDepth: 64,
  maxBatchLength: 1_000,
  maxInFlight: 1_024,
  maxSubscriptions: 100,
  rateLimit: { messagesPerSecond: 100, burst: 200 },
  maxConnections: 10_000,
  connectionInitTimeoutMs: 10_000,
  highWaterMark: 1024 * 1024,
  allowedOrigins: config.allowedOrigins,
  discovery: { info: { title: 'Shop', version: config.apiVersion } },
});

export async function start(): Promise<void> {
  await server.listen(config.port ?? 3000);
  const http = createHttpServer();
  server.attach(http, { path: '/rpc' });
  http.on('upgrade', (request, socket, head) => server.handleUpgrade(request, socket, head));
  await server.close();
}
