// upgradeTimeoutMs and maxPendingUpgrades: the server `listen()` makes bounds the sockets
// that have not upgraded to a WebSocket yet, by time (a request trickled a byte at a time
// is dropped) and by number (the oldest makes room for a newcomer). Accepted WebSockets
// are not subject to either.
import {
  createServer as createHttpServer,
  type ServerOptions as HttpOptions,
  type Server as HttpServer,
} from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { initVolley } from '@volley/core';
import {
  createServer,
  DEFAULT_MAX_PENDING_UPGRADES,
  DEFAULT_UPGRADE_TIMEOUT_MS,
  type ServerOptions,
} from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, openRaw, startHarness, within } from './helpers/harness.js';

const v = initVolley();
const router = v.router({ ping: v.procedure.query(() => 'pong') });

let harness: Harness<typeof router> | undefined;
const sockets: Socket[] = [];
const cleanups: Array<() => Promise<void>> = [];
const timers: Array<ReturnType<typeof setInterval>> = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const socket of sockets.splice(0)) socket.destroy();
  // What the test made itself goes first: the harness then checks that nothing is left.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await harness?.close();
  harness = undefined;
});

/** A TCP socket to the server, and a promise of its close. */
async function tcp(port: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, closed };
}

const portOf = (started: Harness<typeof router>) => Number(new URL(started.url).port);

const UPGRADE =
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

it('defaults to 10 s and 1,000 sockets', () => {
  expect(DEFAULT_UPGRADE_TIMEOUT_MS).toBe(10_000);
  expect(DEFAULT_MAX_PENDING_UPGRADES).toBe(1_000);
});

it('drops an upgrade trickled a byte at a time once upgradeTimeoutMs has passed; an accepted WebSocket stays', async () => {
  const started = await startHarness({ router, upgradeTimeoutMs: 300 });
  harness = started;
  const open = await started.raw();
  const { socket, closed } = await tcp(portOf(started));
  let sent = 0;
  // Always some progress, never the whole request: what a slowloris client does.
  timers.push(
    setInterval(() => {
      if (sent < UPGRADE.length - 1 && !socket.destroyed) socket.write(UPGRADE[sent++] as string);
    }, 20),
  );
  const answer = await within(closed, 'the trickled upgrade to be dropped');
  expect(sent).toBeLessThan(UPGRADE.length);
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  // The WebSocket, open since before, is not an HTTP request any more: still served.
  expect(await open.request({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({
    result: 'pong',
  });
});

it('drops a request whose headers never end, however fast its bytes come', async () => {
  const started = await startHarness({ router, upgradeTimeoutMs: 300 });
  harness = started;
  const { socket, closed } = await tcp(portOf(started));
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  timers.push(setInterval(() => socket.destroyed || socket.write('X-Pad: 1\r\n'), 10));
  expect(await within(closed, 'the endless request to be dropped')).toMatch(/^HTTP\/1\.1 408 /);
});

it('holds at most maxPendingUpgrades sockets before they upgrade, dropping the oldest for a newcomer', async () => {
  const started = await startHarness({ router, maxPendingUpgrades: 3 });
  harness = started;
  const port = portOf(started);
  const first = await tcp(port);
  const others = [await tcp(port), await tcp(port)];
  let firstClosed = false;
  void first.closed.then(() => {
    firstClosed = true;
  });
  // A fourth half-open socket makes room by dropping the oldest.
  const fourth = await tcp(port);
  await within(first.closed, 'the oldest pending socket to be dropped');
  // A real client is a fifth: it gets in, and the second socket is dropped for it.
  const client = started.client();
  expect(await within(client.ping.query(), 'the newcomer to be served')).toBe('pong');
  await within(others[0]?.closed as Promise<string>, 'the next oldest to be dropped');
  expect(firstClosed).toBe(true);
  // The two newest half-open sockets are still there.
  for (const kept of [others[1], fourth]) expect(kept?.socket.destroyed).toBe(false);
});

it('rejects values that are not positive integers, and takes Infinity', async () => {
  for (const value of [0, -1, 1.5]) {
    expect(() => createServer({ router, upgradeTimeoutMs: value })).toThrow(TypeError);
    expect(() => createServer({ router, maxPendingUpgrades: value })).toThrow(TypeError);
  }
  const unbounded = createServer({
    router,
    upgradeTimeoutMs: Number.POSITIVE_INFINITY,
    maxPendingUpgrades: Number.POSITIVE_INFINITY,
  });
  await unbounded.listen(0, '127.0.0.1');
  await unbounded.close();
});

describe('attach() to your own server: its limits are yours to set, as the README says', () => {
  /** A Volley server (with `volleyOptions`) attached to a new http server made with `options`; its port. */
  async function attached(
    options: HttpOptions,
    setUp?: (server: HttpServer) => void,
    volleyOptions: Partial<ServerOptions<typeof router>> = {},
  ) {
    const volley = createServer({ router, upgradeTimeoutMs: 300, ...volleyOptions });
    const http = createHttpServer(options);
    setUp?.(http);
    volley.attach(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      await volley.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    });
    return (http.address() as AddressInfo).port;
  }

  /** Sends all but the last byte of an upgrade request, a byte every 20 ms. */
  function trickle(socket: Socket) {
    let sent = 0;
    timers.push(
      setInterval(() => {
        if (sent < UPGRADE.length - 1 && !socket.destroyed) socket.write(UPGRADE[sent++] as string);
      }, 20),
    );
  }

  it("upgradeTimeoutMs does not reach it: a trickled upgrade outlives the one listen()'s server drops", async () => {
    const own = await startHarness({ router, upgradeTimeoutMs: 300 });
    harness = own;
    const yours = await attached({});
    const onListen = await tcp(portOf(own));
    const onYours = await tcp(yours);
    trickle(onListen.socket);
    trickle(onYours.socket);
    await within(onListen.closed, "listen()'s server to drop its trickled upgrade");
    expect(onYours.socket.destroyed).toBe(false);
  });

  it('headersTimeout, requestTimeout and connectionsCheckingInterval drop a trickled upgrade', async () => {
    const port = await attached({
      headersTimeout: 300,
      requestTimeout: 300,
      connectionsCheckingInterval: 100,
    });
    const { socket, closed } = await tcp(port);
    trickle(socket);
    expect(await within(closed, 'the trickled upgrade to be dropped')).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('server.maxConnections bounds its sockets, upgraded or not', async () => {
    const port = await attached({}, (server) => {
      server.maxConnections = 2;
    });
    const webSocket = await openRaw(`ws://127.0.0.1:${port}`);
    const halfSent = await tcp(port);
    halfSent.socket.write('GET / HTTP/1.1\r\n');
    // A third socket is closed by Node as soon as it connects.
    const third = await tcp(port);
    await within(third.closed, 'the third socket to be closed');
    expect(halfSent.socket.destroyed).toBe(false);
    expect(await webSocket.request({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({
      result: 'pong',
    });
    await webSocket.close();
  });

  it('maxHeadersCount bounds the headers a request may bring: the rest are dropped unread', async () => {
    let seen = -1;
    const port = await attached(
      {},
      (server) => {
        server.maxHeadersCount = 20;
      },
      {
        // Called at the upgrade with the request: it sees the headers Node kept.
        allowedOrigins: (_origin, request) => {
          seen = Object.keys(request.headers).length;
          return true;
        },
      },
    );
    const { socket, closed } = await tcp(port);
    const padding = Array.from({ length: 50 }, (_, index) => `X-Pad-${index}: p\r\n`).join('');
    const answered = new Promise<string>((resolve) =>
      socket.once('data', (chunk) => resolve(chunk.toString())),
    );
    socket.write(`${UPGRADE.slice(0, -2)}${padding}\r\n`);
    expect(await within(answered, 'the upgrade')).toMatch(/^HTTP\/1\.1 101 /);
    expect(seen).toBe(20);
    socket.destroy();
    await closed;
  });
});
