// One test per recipe in src/: each serves the API on a path of a server that also has
// its own routes (or a second API), and a typed client calls it there.
import { get as httpsGet } from 'node:https';
import { createClient, type VolleyClient, type WebSocketConstructor } from '@volley/client';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWithExpress } from '../src/express.js';
import { startWithFastify } from '../src/fastify.js';
import { startOnHttpServer } from '../src/http-server.js';
import { startOverTls } from '../src/https.js';
import { startTwoRouters } from '../src/no-server.js';
import type { ApiRouter, Running } from '../src/router.js';
import { makeCertificate } from './certificate.js';

let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function track(running: Running): Running {
  cleanups.push(() => running.close());
  return running;
}

function client(url: string, Socket: WebSocketConstructor = WebSocket): VolleyClient<ApiRouter> {
  const made = createClient<ApiRouter>({ url, WebSocket: Socket });
  // Before the server: a client's socket must not hold a server's close up.
  cleanups.push(() => made.$close());
  return made;
}

/** How an upgrade with a plain `ws` socket ends: opened, an HTTP status, or an error code. */
function upgradeOutcome(url: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('open', () => {
      resolve('open');
      socket.close();
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(`HTTP ${response.statusCode}`);
      response.resume();
      socket.terminate();
    });
    socket.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
  });
}

async function health(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/health`, {
    headers: { connection: 'close' },
  });
  expect(response.status).toBe(200);
  return response.text();
}

it('attaches to an existing http server beside its routes', async () => {
  const { port } = track(await startOnHttpServer());
  const api = client(`ws://127.0.0.1:${port}/rpc`);
  expect(await api.whoami.query()).toBe('http');
  expect(await api.greet.query({ name: 'Ada' })).toBe('Hello, Ada');
  expect(await health(port)).toBe('ok');
});

it('serves beside an Express app', async () => {
  const { port } = track(await startWithExpress());
  const api = client(`ws://127.0.0.1:${port}/rpc`);
  expect(await api.whoami.query()).toBe('express');
  expect(await health(port)).toBe('ok');
  expect(await api.greet.query({ name: 'Grace' })).toBe('Hello, Grace');
});

it("serves beside a Fastify app through its server's upgrade event", async () => {
  const { port } = track(await startWithFastify());
  const api = client(`ws://127.0.0.1:${port}/rpc`);
  expect(await api.whoami.query()).toBe('fastify');
  expect(await health(port)).toBe('ok');
  expect(await api.greet.query({ name: 'Barbara' })).toBe('Hello, Barbara');
});

it('routes two routers by path on one port from a custom upgrade handler', async () => {
  const { port } = track(await startTwoRouters());
  const publicApi = client(`ws://127.0.0.1:${port}/public`);
  const adminApi = client(`ws://127.0.0.1:${port}/admin`);
  expect(await publicApi.whoami.query()).toBe('public');
  expect(await adminApi.whoami.query()).toBe('admin');
  // Any other path is refused before the upgrade.
  expect(await upgradeOutcome(`ws://127.0.0.1:${port}/other`)).toBe('HTTP 404');
});

it('serves wss:// over https with a certificate made for the test', async () => {
  const certificate = await makeCertificate();
  cleanups.push(() => certificate.remove());
  const tls = { key: certificate.key, cert: certificate.cert };
  const { port } = track(await startOverTls(tls));

  // A Node client that trusts this certificate: ws takes TLS options as a third argument.
  class TrustingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { ca: tls.cert });
    }
  }
  const api = client(`wss://127.0.0.1:${port}/rpc`, TrustingWebSocket);
  expect(await api.whoami.query()).toBe('tls');
  expect(await api.greet.query({ name: 'Ada' })).toBe('Hello, Ada');

  // The same server answers HTTPS requests, and an untrusting client is refused.
  const body = await new Promise<string>((resolve, reject) => {
    httpsGet(`https://127.0.0.1:${port}/`, { ca: tls.cert, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
  expect(body).toBe('ok');
  expect(await upgradeOutcome(`wss://127.0.0.1:${port}/rpc`)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
});
