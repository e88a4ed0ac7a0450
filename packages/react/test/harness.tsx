// A real Volley server on 127.0.0.1 port 0, a client on `ws`, and what the tests wait on.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup } from '@testing-library/react';
import { createClient, type VolleyClient } from '@volley/client';
import { initVolley } from '@volley/core';
import { createVolleyOptions } from '@volley/react';
import { createPubSub, createServer, type PubSub, type VolleyServer } from '@volley/server';
import type { ReactNode } from 'react';
import { afterEach, beforeEach } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, within } from '../../tests/test/helpers/harness.js';

export { deferred, within };

/** A number that tests can wait on: `until(n)` resolves once it is `n`. */
export function gauge(what: string) {
  let value = 0;
  const waiters = new Set<() => void>();
  return {
    get value() {
      return value;
    },
    add(delta: number) {
      value += delta;
      for (const wake of [...waiters]) wake();
    },
    until(target: number): Promise<void> {
      return within(
        new Promise<void>((resolve) => {
          const check = () => {
            if (value !== target) return;
            waiters.delete(check);
            resolve();
          };
          waiters.add(check);
          check();
        }),
        `${what} to be ${target} (it is ${value})`,
      );
    },
  };
}

/** Resolves once the client's connection is open (accepted by the server). */
export function untilOpen(client: VolleyClient<TestRouter>): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      if (client.$state === 'open') return resolve();
      const stop = client.$onStateChange((state) => {
        if (state !== 'open') return;
        stop();
        resolve();
      });
    }),
    'the client to connect',
  );
}

/** Waits for a server-side event inside `act`, so the renders it causes are flushed. */
export function settle(promise: Promise<unknown>): Promise<void> {
  return act(async () => {
    await promise;
  });
}

export type Topics = { [topic: `room:${string}`]: string };

/** What the server's procedures report to the tests. */
export function makeProbe() {
  return {
    /** Live subscription generators: +1 when one starts, -1 in its `finally`. */
    live: gauge('live subscriptions'),
    /** Subscriptions started, ever (re-subscribing counts). */
    started: gauge('subscriptions started'),
    /** The rooms subscribed to, in order. */
    rooms: [] as string[],
    /** The `ticks` generators listening to each room. */
    listeners: new Map<string, Set<(text: string) => void>>(),
    listenersOf(room: string): Set<(text: string) => void> {
      const set = this.listeners.get(room) ?? new Set();
      this.listeners.set(room, set);
      return set;
    },
    /** Sends `text` to every `ticks` subscription of `room`. */
    emit(room: string, text: string): void {
      for (const listener of this.listeners.get(room) ?? []) listener(text);
    },
    count: 0,
    slowStarted: deferred(),
    slowAborted: deferred<string>(),
  };
}
export type Probe = ReturnType<typeof makeProbe>;

const v = initVolley();

export function makeRouter(probe: Probe, rooms: PubSub<Topics>) {
  return v.router({
    greet: v.procedure
      .input(z.object({ name: z.string().min(1) }))
      .query(({ input }) => ({ text: `Hello, ${input.name}`, at: new Date(0) })),
    counter: v.router({
      get: v.procedure.query(() => probe.count),
      add: v.procedure.input(z.object({ by: z.number().int() })).mutation(({ input }) => {
        probe.count += input.by;
        return { count: probe.count };
      }),
    }),
    // Answers only when cancelled: its `signal` aborting is what the test waits for.
    slow: v.procedure.input(z.string()).query(async ({ signal }) => {
      probe.slowStarted.resolve();
      const reason = await new Promise<string>((resolve) =>
        signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true }),
      );
      probe.slowAborted.resolve(reason);
      return 'cancelled';
    }),
    // A generator that counts itself, so a leaked subscription shows on the server. It
    // listens before it counts, so once `live` is up, an `emit` reaches it.
    ticks: v.procedure
      .input(z.object({ room: z.string().regex(/^[a-z]+$/) }))
      .subscription(async function* ({ input, signal }) {
        const queue: string[] = [];
        let wake: (() => void) | undefined;
        const listener = (text: string) => {
          queue.push(text);
          wake?.();
        };
        const listeners = probe.listenersOf(input.room);
        listeners.add(listener);
        probe.live.add(1);
        probe.started.add(1);
        probe.rooms.push(input.room);
        try {
          while (!signal.aborted) {
            while (queue.length > 0) yield queue.shift() as string;
            await new Promise<void>((resolve) => {
              wake = resolve;
              signal.addEventListener('abort', () => resolve(), { once: true });
            });
          }
        } finally {
          listeners.delete(listener);
          probe.live.add(-1);
        }
      }),
    // A topic stream as it is: resumable, replayed from the log after a reconnection.
    feed: v.procedure
      .input(z.object({ room: z.string() }))
      .subscription(({ input, signal, lastEventId }) =>
        rooms.subscribe(`room:${input.room}`, { signal, lastEventId }),
      ),
  });
}
export type TestRouter = ReturnType<typeof makeRouter>;

/** A server (restartable on the same port), a client of it, and the cleanup of both. */
export async function startVolley() {
  const probe = makeProbe();
  const rooms = createPubSub<Topics>();
  const servers: VolleyServer[] = [];
  const listen = async (port: number) => {
    const server = createServer({ router: makeRouter(probe, rooms), heartbeatIntervalMs: 0 });
    servers.push(server);
    return (await server.listen(port, '127.0.0.1')).port;
  };
  const port = await listen(0);
  const client: VolleyClient<TestRouter> = createClient<TestRouter>({
    url: `ws://127.0.0.1:${port}`,
    WebSocket,
    heartbeatIntervalMs: 0,
    retry: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  await untilOpen(client);
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return {
    probe,
    rooms,
    client,
    /** The helpers under test, over `client`. */
    api: createVolleyOptions<TestRouter>(client),
    queryClient,
    /** Wraps a tree in the query client's provider. */
    wrapper: ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    ),
    /** Closes the server: its subscriptions end, its sockets close with 1001. */
    stop: () => servers[servers.length - 1]?.close() ?? Promise.resolve(),
    /** A new server on the same port and pub/sub, which the client reconnects to. */
    restart: () => listen(port),
    async close() {
      queryClient.clear();
      await client.$close();
      for (const server of servers) await server.close();
    },
  };
}
export type Volley = Awaited<ReturnType<typeof startVolley>>;

/**
 * Starts a Volley (server, client, query client) before each test and hands it to `use`;
 * after each, unmounts what the test rendered and closes them all.
 */
export function forEachTest(use: (volley: Volley) => void): void {
  let volley: Volley | undefined;
  beforeEach(async () => {
    volley = await startVolley();
    use(volley);
  });
  afterEach(async () => {
    cleanup();
    await volley?.close();
  });
}
