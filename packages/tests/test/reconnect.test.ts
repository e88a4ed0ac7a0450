// Reconnection over real sockets, with faults made by a TCP proxy between client and
// server: what happens to calls in flight and calls made meanwhile, the client's state,
// both heartbeats, backoff that resets only on acceptance, and refusal.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ClientOptions,
  ConnectionLostError,
  createClient,
  type VolleyClient,
  VolleyError,
} from '@volley/client';
import { CLOSE_CODES, initVolley } from '@volley/core';
import { createServer, type ServerOptions, type VolleyServer } from '@volley/server';
import { afterEach, beforeEach, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { z } from 'zod';
import { deferred, untilState, within } from './helpers/harness.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

/** Resolves once the signal aborts (at once if it already has). */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/**
 * What the procedures report. The first run of `held`, and of `change('hold')`, waits
 * until its connection is lost; other runs answer at once.
 */
function makeProbe() {
  return {
    heldRuns: 0,
    changeRuns: 0,
    pingRuns: 0,
    /** The first run of `held` or `change` has started. */
    started: deferred(),
    /** The `watch` subscription's generator has finished (its connection is gone). */
    watchEnded: deferred(),
  };
}
let probe = makeProbe();

const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => {
    probe.pingRuns += 1;
    return 'pong';
  }),
  held: v.procedure.query(async ({ signal }) => {
    probe.heldRuns += 1;
    if (probe.heldRuns === 1) {
      probe.started.resolve();
      await untilAborted(signal);
      throw new Error('The connection went away');
    }
    return 'done';
  }),
  change: v.procedure.input(z.string()).mutation(async ({ input, signal }) => {
    probe.changeRuns += 1;
    if (input === 'hold' && probe.changeRuns === 1) {
      probe.started.resolve();
      await untilAborted(signal);
      throw new Error('The connection went away');
    }
    return `changed ${input}`;
  }),
  watch: v.procedure.subscription(async function* ({ signal }) {
    try {
      yield 'watching';
      await untilAborted(signal);
    } finally {
      probe.watchEnded.resolve();
    }
  }),
});
type Client = VolleyClient<typeof router>;

/** Closed after each test, last made first. */
let cleanups: Array<() => Promise<void>> = [];
beforeEach(() => {
  probe = makeProbe();
  cleanups = [];
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * A server on port 0, a proxy in front of it, and a client that goes through the proxy
 * (heartbeats off unless asked for, quick retries).
 */
async function startProxied(
  serverOptions: Partial<ServerOptions<typeof router>> = {},
  clientOptions: Partial<ClientOptions> = {},
): Promise<{ server: VolleyServer; proxy: TcpProxy; client: Client }> {
  const server = createServer({ router, heartbeatIntervalMs: 0, ...serverOptions });
  cleanups.push(() => server.close());
  const { port } = await server.listen(0, '127.0.0.1');
  const proxy = await startTcpProxy(port);
  cleanups.push(() => proxy.close());
  const client = createClient<typeof router>({
    url: proxy.url,
    WebSocket,
    retry: { initialDelayMs: 20, maxDelayMs: 200 },
    heartbeatIntervalMs: 0,
    ...clientOptions,
  });
  cleanups.push(() => client.$close());
  // First of all, so that a test that failed mid-stall does not leave $close() waiting
  // for a closing handshake that cannot get through.
  cleanups.push(async () => proxy.resume());
  return { server, proxy, client };
}

/** A `ws` server that hands each socket, and its number (1, 2, ...), to `onConnection`. */
async function startRawServer(onConnection: (socket: WebSocket, count: number) => void) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const counted = { connections: 0, waiters: [] as Array<() => void> };
  wss.on('connection', (socket) => {
    counted.connections += 1;
    for (const waiter of counted.waiters.splice(0)) waiter();
    onConnection(socket, counted.connections);
  });
  cleanups.push(async () => {
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    get connections() {
      return counted.connections;
    },
    /** Resolves once `count` connections have been made. */
    reached(count: number): Promise<void> {
      return new Promise((resolve) => {
        const check = () => {
          if (counted.connections >= count) resolve();
          else counted.waiters.push(check);
        };
        check();
      });
    },
  };
}

it('re-sends a query that was in flight when the connection was cut, and it resolves', async () => {
  const { proxy, client } = await startProxied();
  const answer = client.held.query();
  await within(probe.started.promise, 'the first run of the query');
  proxy.cut();
  expect(await within(answer, 'the re-sent query')).toBe('done');
  expect(probe.heldRuns).toBe(2);
});

it('rejects a mutation in flight across a cut with a retriable ConnectionLostError and never re-runs it', async () => {
  const { proxy, client } = await startProxied();
  const answer = client.change.mutate('hold');
  await within(probe.started.promise, 'the mutation to run');
  proxy.cut();
  const error = await within(
    answer.catch((caught: unknown) => caught),
    'the mutation to fail',
  );
  expect(error).toBeInstanceOf(ConnectionLostError);
  expect(error).toMatchObject({ retriable: true, closeCode: 1006 });
  // A call made after it goes out after it on the new connection: had the mutation been
  // re-sent, the server would have run it by the time this answers.
  expect(await within(client.ping.query(), 'a query on the new connection')).toBe('pong');
  expect(probe.changeRuns).toBe(1);
});

it('re-sends a mutation marked idempotent', async () => {
  const { proxy, client } = await startProxied();
  const answer = client.change.mutate('hold', { idempotent: true });
  await within(probe.started.promise, 'the first run of the mutation');
  proxy.cut();
  expect(await within(answer, 'the re-sent mutation')).toBe('changed hold');
  expect(probe.changeRuns).toBe(2);
});

it('queues calls made while disconnected and sends them once reconnected', async () => {
  const { proxy, client } = await startProxied();
  expect(await within(client.ping.query(), 'the first query')).toBe('pong');
  // Blackholed, then cut: the client's new attempts connect to nothing that answers.
  proxy.stall();
  proxy.cut();
  await untilState(client, 'reconnecting');
  const query = client.ping.query();
  // Not sent before the drop, so even a plain mutation goes out on the new connection.
  const mutation = client.change.mutate('queued');
  expect(probe.pingRuns).toBe(1);
  proxy.resume();
  expect(await within(query, 'the queued query')).toBe('pong');
  expect(await within(mutation, 'the queued mutation')).toBe('changed queued');
  expect(probe.changeRuns).toBe(1);
  expect(client.$state).toBe('open');
});

it('rejects a queued call with TIMEOUT when its timeout passes first, and never sends it', async () => {
  const { proxy, client } = await startProxied();
  expect(await within(client.ping.query(), 'the first query')).toBe('pong');
  proxy.stall();
  proxy.cut();
  await untilState(client, 'reconnecting');
  const error = await within(
    client.ping.query(undefined, { timeoutMs: 50 }).catch((caught: unknown) => caught),
    'the queued query to time out',
  );
  expect(error).toBeInstanceOf(VolleyError);
  expect(error).toMatchObject({ code: 'TIMEOUT' });
  proxy.resume();
  await untilState(client, 'open');
  expect(await within(client.ping.query(), 'a query after reconnecting')).toBe('pong');
  // The first query and the last one: the one that timed out never reached the server.
  expect(probe.pingRuns).toBe(2);
});

it('goes open → reconnecting → open across a cut, and closed on $close()', async () => {
  const { proxy, client } = await startProxied();
  await untilState(client, 'open');
  const states: string[] = [];
  client.$onStateChange((state) => states.push(state));
  proxy.cut();
  await untilState(client, 'reconnecting');
  await untilState(client, 'open', 'the client to reconnect');
  expect(await within(client.ping.query(), 'a query after reconnecting')).toBe('pong');
  await client.$close();
  expect(states).toEqual(['reconnecting', 'open', 'closed']);
});

it('finds a stalled connection by its heartbeat (4000), reconnects, and goes on', async () => {
  const { proxy, client: c } = await startProxied({}, { heartbeatIntervalMs: 100 });
  const answer = c.change.mutate('hold');
  await within(probe.started.promise, 'the mutation to run');
  // Nothing is closed: only the missing pong can tell the client the connection is dead.
  proxy.stall();
  const error = await within(
    answer.catch((caught: unknown) => caught),
    'the heartbeat to drop the connection',
  );
  expect(error).toBeInstanceOf(ConnectionLostError);
  expect(error).toMatchObject({ closeCode: CLOSE_CODES.HEARTBEAT_TIMEOUT });
  expect(c.$state).toBe('reconnecting');
  proxy.resume();
  await untilState(c, 'open', 'the client to reconnect');
  expect(await within(c.ping.query(), 'a query after reconnecting')).toBe('pong');
  expect(probe.changeRuns).toBe(1);
});

it('the server terminates a stalled peer that stops answering its pings', async () => {
  // The client's heartbeat is off: only the server's ping can find the dead peer.
  const { proxy, client: c } = await startProxied({ heartbeatIntervalMs: 100 });
  const started = deferred();
  const resumed = deferred<{ recovered: boolean }>();
  c.watch.subscribe(undefined, {
    onStarted: () => started.resolve(),
    onResumed: (info) => resumed.resolve(info),
  });
  await within(started.promise, 'the subscription to start');
  proxy.stall();
  // The server ends the subscription only when it drops the connection.
  await within(probe.watchEnded.promise, 'the server to terminate the stalled peer');
  expect(c.$state).toBe('open');
  proxy.resume();
  // Told of the close once the route works again, the client resumes the subscription.
  expect(await within(resumed.promise, 'the subscription to resume')).toEqual({
    recovered: false,
  });
  expect(await within(c.ping.query(), 'a query after reconnecting')).toBe('pong');
});

it('backs off while the server closes sockets without accepting them, and gives up after maxAttempts', async () => {
  // Opens the socket, never answers rpc.init: opening is not acceptance.
  const raw = await startRawServer((socket) => socket.close(1011, 'Not today'));
  const client = createClient<typeof router>({
    url: raw.url,
    WebSocket,
    heartbeatIntervalMs: 0,
    retry: { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 4 },
  });
  cleanups.push(() => client.$close());
  const states: string[] = [];
  client.$onStateChange((state) => states.push(state));
  const error = await within(
    client.ping.query().catch((caught: unknown) => caught),
    'the client to give up',
  );
  expect(error).toBeInstanceOf(ConnectionLostError);
  expect(error).toMatchObject({ retriable: true, closeCode: 1011 });
  expect(client.$state).toBe('idle');
  expect(raw.connections).toBe(4);
  // Never accepted: never open.
  expect(states).not.toContain('open');
  expect(states.at(-1)).toBe('idle');
});

it('starts the backoff over after each accepted connection, so maxAttempts counts only failures in a row', async () => {
  // Every other socket is closed unaccepted; the others are accepted (rpc.init is
  // answered) and then closed. Two failures in a row would make the client give up.
  const raw = await startRawServer((socket, count) => {
    if (count % 2 === 1) {
      socket.close(1011, 'Not today');
      return;
    }
    socket.once('message', (data) => {
      const init = JSON.parse(data.toString()) as { id: number };
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: init.id, result: { protocol: 1 } }));
      socket.close(1012, 'Restarting');
    });
  });
  const client = createClient<typeof router>({
    url: raw.url,
    WebSocket,
    heartbeatIntervalMs: 0,
    retry: { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 2 },
  });
  cleanups.push(() => client.$close());
  let opened = 0;
  client.$onStateChange((state) => {
    if (state === 'open') opened += 1;
  });
  // Ten connections, half of them failures: had acceptance not reset the count, the
  // client would have given up at the third.
  await within(raw.reached(10), 'ten connections');
  expect(opened).toBeGreaterThanOrEqual(4);
  expect(client.$state).not.toBe('idle');
});

it('does not retry when the server refuses the connection with 4401', async () => {
  let upgrades = 0;
  const server = createServer({
    router,
    createContext: ({ connectionParams }) => {
      if ((connectionParams as { token?: string } | undefined)?.token !== 'good') {
        throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Bad token' });
      }
      return {};
    },
  });
  const http: HttpServer = createHttpServer();
  http.on('upgrade', () => {
    upgrades += 1;
  });
  server.attach(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(async () => {
    await server.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const refused = createClient<typeof router>({
    url,
    WebSocket,
    connectionParams: { token: 'bad' },
    heartbeatIntervalMs: 0,
    // A retry, were there one, would come almost at once.
    retry: { initialDelayMs: 1, maxDelayMs: 1 },
  });
  cleanups.push(() => refused.$close());
  const states: string[] = [];
  refused.$onStateChange((state) => states.push(state));
  const error = await within(
    refused.ping.query().catch((caught: unknown) => caught),
    'the refusal',
  );
  expect(error).toBeInstanceOf(VolleyError);
  expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Bad token' });
  // Straight to idle: a retry would have gone through reconnecting.
  expect(states).toEqual(['idle']);
  // A client with a good token connects meanwhile; the refused one has not come back.
  const accepted = createClient<typeof router>({
    url,
    WebSocket,
    connectionParams: { token: 'good' },
    heartbeatIntervalMs: 0,
  });
  cleanups.push(() => accepted.$close());
  expect(await within(accepted.ping.query(), 'a query with a good token')).toBe('pong');
  expect(upgrades).toBe(2);
  expect(refused.$state).toBe('idle');
});
