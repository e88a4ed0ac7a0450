import { createServer as createHttpServer, type Server as HttpServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type VolleyClient, VolleyError } from '@volley/client';
import { type AnyRouter, initVolley } from '@volley/core';
import { createServer, type VolleyServer } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { within } from './helpers/harness.js';

const v = initVolley();
const routerA = v.router({
  whoami: v.procedure.query(() => 'router A'),
  onlyA: v.procedure.input(z.number()).query(({ input }) => input + 1),
});
const routerB = v.router({
  whoami: v.procedure.query(() => 'router B'),
  onlyB: v.procedure.input(z.string()).mutation(({ input }) => input.toUpperCase()),
});

// Everything a test opens, released in reverse order after it.
let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  const pending = cleanups.reverse();
  cleanups = [];
  for (const cleanup of pending) await cleanup();
});

function volley(router: typeof routerA | typeof routerB): VolleyServer {
  const server = createServer({ router });
  cleanups.push(() => server.close());
  return server;
}

function client<TRouter extends AnyRouter>(url: string): VolleyClient<TRouter> {
  const made = createClient<TRouter>({ url, WebSocket });
  cleanups.push(() => made.$close());
  return made;
}

/** An HTTP server of our own on 127.0.0.1, port 0, closed after the test. */
async function httpServer(
  handler: Parameters<typeof createHttpServer>[1],
): Promise<{ server: HttpServer; port: number }> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { server, port: (server.address() as AddressInfo).port };
}

/** The HTTP status a WebSocket upgrade to `url` is refused with. */
function refusedUpgrade(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      reject(new Error(`The upgrade to ${url} was accepted`));
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

/** A plain HTTP GET on a fresh connection that is not kept alive. */
function plainGet(
  port: number,
  path: string,
): Promise<{ status: number; upgrade: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const get = request({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          upgrade: response.headers.upgrade,
          body,
        }),
      );
    });
    get.on('error', reject);
    get.end();
  });
}

describe('listen', () => {
  it('listens on 127.0.0.1 with port 0 and serves the router there', async () => {
    const server = volley(routerA);
    const address = await server.listen(0, '127.0.0.1');
    expect(address.address).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
    const a = client<typeof routerA>(`ws://127.0.0.1:${address.port}`);
    expect(await a.whoami.query()).toBe('router A');
    expect(await a.onlyA.query(41)).toBe(42);
    expect(server.connectionCount).toBe(1);
  });

  it('answers a plain HTTP request with 426 Upgrade Required', async () => {
    const server = volley(routerA);
    const { port } = await server.listen(0, '127.0.0.1');
    const response = await within(plainGet(port, '/'), 'the HTTP response');
    expect(response.status).toBe(426);
    expect(response.upgrade).toBe('websocket');
    expect(response.body).toMatch(/Upgrade Required/);
    // It still serves WebSockets.
    const a = client<typeof routerA>(`ws://127.0.0.1:${port}`);
    expect(await a.whoami.query()).toBe('router A');
  });
});

describe('attach', () => {
  it('serves upgrades on its path while the HTTP server keeps its own routes', async () => {
    const { server: http, port } = await httpServer((req, res) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    const server = volley(routerA);
    server.attach(http, { path: '/rpc' });

    // The query string is not part of the path.
    const a = client<typeof routerA>(`ws://127.0.0.1:${port}/rpc?room=1`);
    expect(await a.whoami.query()).toBe('router A');
    expect(server.connectionCount).toBe(1);

    const health = await within(fetch(`http://127.0.0.1:${port}/health`), 'GET /health');
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');

    expect(await within(refusedUpgrade(`ws://127.0.0.1:${port}/other`), 'the refusal')).toBe(404);
    // The refused upgrade did not disturb the served one.
    expect(await a.onlyA.query(1)).toBe(2);
    expect(server.connectionCount).toBe(1);
  });

  it('stops serving upgrades once detached', async () => {
    const { server: http, port } = await httpServer((_req, res) => res.end());
    const server = volley(routerA);
    const detach = server.attach(http, { path: '/rpc' });
    // A second handler on the same server, so a path it does not own is left to it.
    http.on('upgrade', (req, socket) => {
      if (req.url !== '/rpc') return;
      if (http.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 410 Gone\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    });
    const a = client<typeof routerA>(`ws://127.0.0.1:${port}/rpc`);
    expect(await a.whoami.query()).toBe('router A');
    detach();
    expect(await within(refusedUpgrade(`ws://127.0.0.1:${port}/rpc`), 'the refusal')).toBe(410);
  });
});

describe('handleUpgrade (noServer)', () => {
  it('routes two routers by path on one port from our own upgrade handler', async () => {
    const { server: http, port } = await httpServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const serverA = volley(routerA);
    const serverB = volley(routerB);
    http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/a') serverA.handleUpgrade(req, socket, head);
      else if (path === '/b') serverB.handleUpgrade(req, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });

    const a = client<typeof routerA>(`ws://127.0.0.1:${port}/a`);
    const b = client<typeof routerB>(`ws://127.0.0.1:${port}/b`);
    expect(await a.whoami.query()).toBe('router A');
    expect(await b.whoami.query()).toBe('router B');
    expect(await a.onlyA.query(1)).toBe(2);
    expect(await b.onlyB.mutate('b')).toBe('B');
    expect(serverA.connectionCount).toBe(1);
    expect(serverB.connectionCount).toBe(1);

    // Each socket reached its own router only.
    const aAsB = client<typeof routerB>(`ws://127.0.0.1:${port}/a`);
    const error = await aAsB.onlyB.mutate('x').then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(VolleyError);
    expect(error).toMatchObject({ code: 'METHOD_NOT_FOUND' });
    expect(serverA.connectionCount).toBe(2);
    expect(serverB.connectionCount).toBe(1);

    expect(await within(refusedUpgrade(`ws://127.0.0.1:${port}/c`), 'the refusal')).toBe(404);
  });
});
