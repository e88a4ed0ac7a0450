// Graceful shutdown over real sockets: server.close() lets running calls answer, closes
// with 1001, and clients come back on the next server, where live subscriptions go on.
import { ConnectionLostError, createClient, type VolleyClient } from '@volley/client';
import { CLOSE_CODES, initVolley } from '@volley/core';
import { createPubSub, createServer, type PubSub, type VolleyServer } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deferred, openRaw, within } from './helpers/harness.js';

type Topics = { ticks: number };

/** What the procedures report; `slow` answers once `release` resolves. */
function makeProbe() {
  return { started: deferred(), release: deferred(), slowRuns: 0 };
}
let probe = makeProbe();

function makeRouter(events: PubSub<Topics>) {
  const v = initVolley();
  return v.router({
    ping: v.procedure.query(() => 'pong'),
    slow: v.procedure.query(async () => {
      probe.slowRuns += 1;
      probe.started.resolve();
      await probe.release.promise;
      return 'finished';
    }),
    stuck: v.procedure.mutation(async ({ signal }) => {
      probe.started.resolve();
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return 'never answered';
    }),
    ticks: v.procedure.subscription(({ signal, lastEventId }) =>
      events.subscribe('ticks', { signal, lastEventId }),
    ),
  });
}
type AppRouter = ReturnType<typeof makeRouter>;
type Client = VolleyClient<AppRouter>;

let cleanups: Array<() => Promise<void>> = [];
beforeEach(() => {
  probe = makeProbe();
  cleanups = [];
});
afterEach(async () => {
  // Let a call still waiting finish, so no server waits out its drain.
  probe.release.resolve();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startServer(
  events: PubSub<Topics>,
  port = 0,
  options: { drainTimeoutMs?: number } = {},
): Promise<{ server: VolleyServer; url: string }> {
  const server = createServer({ router: makeRouter(events), heartbeatIntervalMs: 0, ...options });
  cleanups.push(() => server.close());
  const address = await server.listen(port, '127.0.0.1');
  return { server, url: `ws://127.0.0.1:${address.port}` };
}

function startClient(url: string | (() => string)): Client {
  const client = createClient<AppRouter>({
    url,
    WebSocket,
    heartbeatIntervalMs: 0,
    retry: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  cleanups.push(() => client.$close());
  return client;
}

/** Collects numbers and resolves waits for a count of them. */
function collector() {
  const received: number[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    received,
    push(n: number) {
      received.push(n);
      for (const waiter of [...waiters]) {
        if (received.length < waiter.count) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    until(count: number): Promise<void> {
      return within(
        new Promise<void>((resolve) => {
          if (received.length >= count) resolve();
          else waiters.push({ count, resolve });
        }),
        `${count} events`,
      );
    },
  };
}

/**
 * Resolves once a new connection to `url` fails: the server has stopped accepting, so its
 * shutdown is under way (and, were it not draining, its sockets would be closing).
 */
function refused(url: string): Promise<void> {
  return within(
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.on('error', () => {});
      socket.on('open', () => {
        socket.terminate();
        reject(new Error(`${url} still accepts connections`));
      });
      socket.on('close', () => resolve());
    }),
    'the server to stop accepting',
  );
}

async function publishAll(events: PubSub<Topics>, numbers: number[]): Promise<void> {
  for (const n of numbers) await events.publish('ticks', n);
}

describe('server.close()', () => {
  it('lets a running call answer, then closes the socket with 1001', async () => {
    const { server, url } = await startServer(createPubSub<Topics>());
    const peer = await openRaw(url);
    cleanups.push(() => peer.close());
    expect(
      await peer.request({ jsonrpc: '2.0', id: 0, method: 'rpc.init', params: {} }),
    ).toMatchObject({ id: 0, result: { protocol: 1 } });
    peer.send({ jsonrpc: '2.0', id: 1, method: 'slow' });
    await within(probe.started.promise, 'the call to start');
    const closing = server.close();
    await refused(url);
    probe.release.resolve();
    // The answer first, then the close.
    expect(await peer.next('the answer')).toEqual({ jsonrpc: '2.0', id: 1, result: 'finished' });
    expect(await within(peer.closed, 'the close')).toMatchObject({
      code: CLOSE_CODES.GOING_AWAY,
    });
    await within(closing, 'server.close()');
  });

  it('answers a client call in flight while it drains', async () => {
    const { server, url } = await startServer(createPubSub<Topics>());
    const client = startClient(url);
    const answer = client.slow.query();
    await within(probe.started.promise, 'the call to start');
    const closing = server.close();
    await refused(url);
    probe.release.resolve();
    expect(await within(answer, 'the answer')).toBe('finished');
    await within(closing, 'server.close()');
    // Answered, not re-sent to a server that is gone.
    expect(probe.slowRuns).toBe(1);
  });

  it('closes with 1001 after drainTimeoutMs when a call will not finish', async () => {
    const { server, url } = await startServer(createPubSub<Topics>(), 0, { drainTimeoutMs: 100 });
    const client = startClient(url);
    const answer = client.stuck.mutate();
    await within(probe.started.promise, 'the mutation to start');
    const closing = server.close();
    const error = await within(
      answer.catch((caught: unknown) => caught),
      'the mutation to fail',
    );
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect(error).toMatchObject({ closeCode: CLOSE_CODES.GOING_AWAY });
    await within(closing, 'server.close()');
  });
});

/** Resolves once a resumed subscription reports. */
function resumption() {
  const resumed = deferred<{ recovered: boolean }>();
  return { resumed, onResumed: (info: { recovered: boolean }) => resumed.resolve(info) };
}

describe('after a shutdown the client reconnects to the next server', () => {
  it('on the same URL; a new engine cannot replay, so the subscription resumes with recovered: false', async () => {
    const first = createPubSub<Topics>();
    const { server, url } = await startServer(first);
    const port = Number(new URL(url).port);
    const client = startClient(url);
    const got = collector();
    const started = deferred();
    const { resumed, onResumed } = resumption();
    client.ticks.subscribe(undefined, {
      onStarted: () => started.resolve(),
      onData: (n) => got.push(n),
      onResumed,
    });
    await within(started.promise, 'the subscription to start');
    await publishAll(first, [1, 2, 3]);
    await got.until(3);

    await server.close();
    // The next process: another engine, so other event ids, on the same port.
    const second = createPubSub<Topics>();
    await startServer(second, port);
    expect(await within(resumed.promise, 'the subscription to resume')).toEqual({
      recovered: false,
    });
    await publishAll(second, [10, 11]);
    await got.until(5);
    expect(got.received).toEqual([1, 2, 3, 10, 11]);
    expect(await within(client.ping.query(), 'a query')).toBe('pong');
  });

  it('wherever the url function points; a shared engine replays what was missed, recovered: true', async () => {
    // A rolling deploy: the old and the new server share one engine (Redis, say).
    const shared = createPubSub<Topics>();
    const old = await startServer(shared);
    let current = old.url;
    const client = startClient(() => current);
    const got = collector();
    const started = deferred();
    const { resumed, onResumed } = resumption();
    client.ticks.subscribe(undefined, {
      onStarted: () => started.resolve(),
      onData: (n) => got.push(n),
      onResumed,
    });
    await within(started.promise, 'the subscription to start');
    await publishAll(shared, [1, 2, 3]);
    await got.until(3);

    await old.server.close();
    // Published while no server serves the client.
    await publishAll(shared, [4, 5, 6]);
    const next = await startServer(shared);
    current = next.url;
    expect(await within(resumed.promise, 'the subscription to resume')).toEqual({
      recovered: true,
    });
    await publishAll(shared, [7, 8]);
    await got.until(8);
    expect(got.received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(client.$state).toBe('open');
  });
});
