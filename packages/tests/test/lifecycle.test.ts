import { connect, Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ClientClosedError,
  type ClientOptions,
  ConnectionLostError,
  type ConnectionState,
  createClient,
  type VolleyClient,
} from '@volley/client';
import { initVolley } from '@volley/core';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';
import { createProbes, untilAborted } from './helpers/probes.js';

const probes = createProbes();
const probe = probes.get;

/** Which connection of the test a call runs on: 1 for the first, and so on. */
interface Ctx {
  connection: number;
}
const v = initVolley<Ctx>();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  hang: v.procedure.input(z.string()).query(async ({ input, signal }) => {
    const reporting = probe(input);
    reporting.started.resolve();
    await untilAborted(signal);
    reporting.aborted.resolve();
    return 'too late';
  }),
  hangMutation: v.procedure.input(z.string()).mutation(async ({ input, signal }) => {
    const reporting = probe(input);
    reporting.started.resolve();
    await untilAborted(signal);
    reporting.aborted.resolve();
    return 'too late';
  }),
  /** Hangs on the first connection; answers on any later one. */
  firstHangs: v.procedure.input(z.string()).query(async ({ ctx, input, signal }) => {
    if (ctx.connection > 1) return `answered on connection ${ctx.connection}`;
    const reporting = probe(input);
    reporting.started.resolve();
    await untilAborted(signal);
    reporting.aborted.resolve();
    return 'too late';
  }),
  live: v.procedure.input(z.string()).subscription(async function* ({ input, signal }) {
    const reporting = probe(input);
    signal.addEventListener('abort', () => reporting.aborted.resolve(), { once: true });
    reporting.started.resolve();
    try {
      yield 'ready';
      await untilAborted(signal);
    } finally {
      reporting.cleanupStarted.resolve();
      // A "gated" run's cleanup is asynchronous and lasts until the test lets it finish.
      if (input.startsWith('gated')) await reporting.cleanupGate.promise;
      reporting.finished = true;
      reporting.finallyRan.resolve();
    }
  }),
});

let harness: Harness<typeof router> | undefined;
/** The server's end of each connection, in the order they were made. */
let serverSockets: Duplex[] = [];
let ownClients: Array<VolleyClient<typeof router>> = [];
afterEach(async () => {
  await Promise.all(ownClients.map((client) => client.$close()));
  ownClients = [];
  await harness?.close();
  harness = undefined;
  serverSockets = [];
  probes.reset();
});

/** A harness whose context numbers the connections and keeps their server-side sockets. */
async function start(options: { closeTimeoutMs?: number } = {}) {
  harness = await startHarness({
    router,
    ...options,
    createContext: ({ request }) => {
      serverSockets.push(request.socket);
      return { connection: serverSockets.length };
    },
  });
  return harness;
}

/** A typed client of the harness's server with options the harness does not pass on. */
function clientWith(
  options: Omit<ClientOptions, 'url' | 'WebSocket'>,
): VolleyClient<typeof router> {
  if (harness === undefined) throw new Error('start the harness first');
  const client = createClient<typeof router>({ url: harness.url, WebSocket, ...options });
  ownClients.push(client);
  return client;
}

/** Reconnect at most once, at once: a client that gives up when the server is gone. */
const GIVE_UP_SOON = { retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } };

/** Settles with the error a promise rejects with, or fails the test if it resolves. */
function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  return within(
    promise.then(
      (value) => {
        throw new Error(`Expected ${what} to fail, got ${JSON.stringify(value)}`);
      },
      (error: unknown) => error,
    ),
    what,
  );
}

/** Iterates a subscription in the background: `ready` at its first event, `ended` with how it ended. */
function iterate(subscription: AsyncIterable<string>) {
  const ready = deferred();
  const ended = (async () => {
    try {
      for await (const _ of subscription) ready.resolve();
      return 'completed';
    } catch (error) {
      return error;
    }
  })();
  return { ready: ready.promise, ended };
}

/** The error code with which a TCP connection to `url`'s port fails, once its socket is closed. */
function connectError(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let code: string | undefined;
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', (error: NodeJS.ErrnoException) => {
      code = error.code;
    });
    socket.on('connect', () => socket.destroy());
    socket.on('close', () => resolve(code));
  });
}

/**
 * The process's open sockets and listening servers. Undocumented but long-standing in
 * Node; only ever compared with a baseline taken in the same test.
 */
function openNetHandles(): unknown[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  // A destroyed socket or a server that stopped listening is already on its way out: its
  // handle goes at the next turn of the event loop.
  return handles.filter(
    (handle) =>
      (handle instanceof Socket && !handle.destroyed) ||
      (handle instanceof NetServer && handle.listening),
  );
}

describe('server.close()', () => {
  it('ends every live subscription, closes every client with 1001 and leaves nothing open', async () => {
    const baseline = openNetHandles();
    // Generous, so that only the gated cleanup below decides when close() resolves.
    const { server } = await start({ closeTimeoutMs: 60_000 });

    // Typed clients that give up once the server is gone, so their subscriptions fail.
    const iterating = [clientWith(GIVE_UP_SOON), clientWith(GIVE_UP_SOON)].map((client, i) =>
      iterate(client.live.subscribe(`iterating-${i}`)),
    );
    const callbackClient = clientWith(GIVE_UP_SOON);
    const states: ConnectionState[] = [];
    callbackClient.$onStateChange((state) => states.push(state));
    const callbackReady = deferred();
    const callbackError = deferred<unknown>();
    callbackClient.live.subscribe('callbacks', {
      onData: () => callbackReady.resolve(),
      onError: callbackError.resolve,
    });
    const raw = await harness!.raw();
    raw.send({ jsonrpc: '2.0', id: 1, method: 'live', params: ['gated-raw'] });
    expect(await raw.next('the ack')).toMatchObject({ id: 1, result: { subscription: 1 } });
    expect(await raw.next('the first event')).toMatchObject({ params: { data: 'ready' } });
    await within(Promise.all(iterating.map(({ ready }) => ready)), 'the iterating clients');
    await within(callbackReady.promise, 'the callback client');
    expect(server.connectionCount).toBe(4);
    // A server-side socket per connection, plus each client's and the listening server.
    expect(openNetHandles().length).toBeGreaterThanOrEqual(baseline.length + 9);

    let closeResolved = false;
    const closing = server.close().then(() => {
      closeResolved = true;
    });

    // The raw peer sees 1001; the typed clients see the drop, fail to reconnect, and give up.
    expect(await within(raw.closed, 'the raw peer to be closed')).toMatchObject({ code: 1001 });
    for (const { ended } of iterating) {
      const error = await within(ended, 'an iterating client to fail');
      expect(error).toBeInstanceOf(ConnectionLostError);
      expect(error).toMatchObject({ retriable: true });
    }
    expect(await within(callbackError.promise, 'onError')).toBeInstanceOf(ConnectionLostError);
    expect(states).toEqual(['open', 'reconnecting', 'idle']);
    // The server no longer accepts connections.
    expect(await within(connectError(harness!.url), 'a connection attempt to fail')).toBe(
      'ECONNREFUSED',
    );

    // But close() waits for the finally block that is still running.
    await within(probe('gated-raw').cleanupStarted.promise, 'the gated cleanup to start');
    expect(probe('gated-raw').finished).toBe(false);
    expect(closeResolved).toBe(false);
    probe('gated-raw').cleanupGate.resolve();
    await within(closing, 'server.close()');

    const labels = ['iterating-0', 'iterating-1', 'callbacks', 'gated-raw'];
    expect(labels.filter((label) => !probe(label).finished)).toEqual([]);
    for (const label of labels) await within(probe(label).aborted.promise, `${label}'s signal`);
    expect(server.connectionCount).toBe(0);

    // Every socket (server and client side) and the listening server are released.
    expect(openNetHandles().filter((handle) => !baseline.includes(handle))).toEqual([]);
  });

  it('can be called twice, and again after it resolved', async () => {
    const harness = await start();
    const client = harness.client();
    expect(await client.ping.query()).toBe('pong');
    const first = harness.server.close();
    const second = harness.server.close();
    await within(Promise.all([first, second]), 'both closes');
    await within(harness.server.close(), 'a third close');
    expect(harness.server.connectionCount).toBe(0);
  });
});

describe('client.$close()', () => {
  it('fails pending calls and live subscriptions with ClientClosedError, and every later call', async () => {
    const harness = await start();
    const client = harness.client();
    const pending = rejection(client.hang.query('pending'), 'the pending call');
    await within(probe('pending').started.promise, 'the call to start');
    const iterating = iterate(client.live.subscribe('iterating'));
    const callbackError = deferred<unknown>();
    const callbackReady = deferred();
    client.live.subscribe('callbacks', {
      onData: () => callbackReady.resolve(),
      onError: callbackError.resolve,
    });
    await within(iterating.ready, 'the iterating subscription');
    await within(callbackReady.promise, 'the callback subscription');

    await within(client.$close(), '$close()');
    expect(client.$state).toBe('closed');
    expect(await pending).toBeInstanceOf(ClientClosedError);
    expect(await within(iterating.ended, 'the iteration to fail')).toBeInstanceOf(
      ClientClosedError,
    );
    expect(await within(callbackError.promise, 'onError')).toBeInstanceOf(ClientClosedError);

    // The server let go of all of it.
    await within(probe('pending').aborted.promise, "the pending call's signal");
    await within(probe('iterating').finallyRan.promise, "the iterating subscription's finally");
    await within(probe('callbacks').finallyRan.promise, "the callback subscription's finally");

    // Later calls fail the same way and open nothing.
    expect(await rejection(client.ping.query(), 'a later query')).toBeInstanceOf(ClientClosedError);
    const later = iterate(client.live.subscribe('later'));
    expect(await within(later.ended, 'a later subscription')).toBeInstanceOf(ClientClosedError);
    const laterError = deferred<unknown>();
    client.live.subscribe('later-callbacks', { onData: () => {}, onError: laterError.resolve });
    expect(await within(laterError.promise, 'onError of a later subscription')).toBeInstanceOf(
      ClientClosedError,
    );
    expect(client.$state).toBe('closed');
    expect(probes.has('later')).toBe(false);
  });

  it('can be called twice, also on a client that never connected', async () => {
    const harness = await start();
    const client = harness.client();
    expect(await client.ping.query()).toBe('pong');
    await within(Promise.all([client.$close(), client.$close()]), 'both closes');
    await within(client.$close(), 'a third close');
    expect(client.$state).toBe('closed');

    const lazy = harness.client({ lazy: true });
    expect(lazy.$state).toBe('idle');
    await within(Promise.all([lazy.$close(), lazy.$close()]), 'both closes of a lazy client');
    expect(lazy.$state).toBe('closed');
    expect(await rejection(lazy.ping.query(), 'a call after close')).toBeInstanceOf(
      ClientClosedError,
    );
  });
});

describe('a dropped connection', () => {
  it('fails an in-flight mutation with ConnectionLostError, sends an in-flight query again, and reconnects', async () => {
    const harness = await start();
    const client = harness.client();
    const states: ConnectionState[] = [];
    client.$onStateChange((state) => states.push(state));
    expect(await client.ping.query()).toBe('pong');
    expect(client.$state).toBe('open');

    const mutation = rejection(client.hangMutation.mutate('mutation'), 'the in-flight mutation');
    const query = client.firstHangs.query('query');
    const subscription = iterate(client.live.subscribe('dropped'));
    await within(probe('mutation').started.promise, 'the mutation to start');
    await within(probe('query').started.promise, 'the query to start');
    await within(subscription.ready, 'the subscription');

    // The server's end of the TCP connection goes away without a closing handshake.
    serverSockets[0]?.destroy();

    // A mutation may have run, so it is never sent twice behind the caller's back...
    const lost = await mutation;
    expect(lost).toBeInstanceOf(ConnectionLostError);
    expect(lost).toMatchObject({ retriable: true, closeCode: 1006 });
    // ...while a query is simply asked again on the next connection.
    expect(await within(query, 'the re-sent query')).toBe('answered on connection 2');
    expect(client.$state).toBe('open');
    expect(states).toEqual(['open', 'reconnecting', 'open']);

    // The server let go of everything that ran on the dropped connection.
    await within(probe('mutation').aborted.promise, "the mutation's signal");
    await within(probe('query').aborted.promise, "the first query's signal");
    await within(probe('dropped').finallyRan.promise, "the subscription's finally");

    expect(await within(client.ping.query(), 'a call after the drop')).toBe('pong');
    expect(serverSockets).toHaveLength(2);
    expect(harness.server.connectionCount).toBe(1);
  });
});
