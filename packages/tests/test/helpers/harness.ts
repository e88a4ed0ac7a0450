import { createHook } from 'node:async_hooks';
import {
  createClient,
  type VolleyClient,
  type WebSocketConstructor,
  type WebSocketLike,
} from '@volley/client';
import { type AnyRouter, createRouter } from '@volley/core';
import { createServer, type ServerOptions, type VolleyServer } from '@volley/server';
import WebSocket from 'ws';

/** How the harness's clients reach its server: `ws` on 127.0.0.1, or the in-memory pair. */
export type TestTransport = 'ws' | 'memory';

/**
 * The transport of this test run: the root vitest config runs the call, batch,
 * subscription and limit tests once over each (`VOLLEY_TEST_TRANSPORT`).
 */
export const TRANSPORT: TestTransport =
  process.env.VOLLEY_TEST_TRANSPORT === 'memory' ? 'memory' : 'ws';

/** A server and the clients made against it; `close()` releases all and checks that nothing leaked. */
export interface Harness<TRouter extends AnyRouter> {
  server: VolleyServer;
  url: string;
  /** The WebSocket class clients connect with: ws's, or the server's in-memory one. */
  WebSocket: WebSocketConstructor;
  client(options?: { timeoutMs?: number; lazy?: boolean }): VolleyClient<TRouter>;
  raw(): Promise<RawPeer>;
  close(): Promise<void>;
}

/**
 * Watches the timers Volley's code (or a test's) makes from now on, not the test runner's:
 * what is still alive at the end is a call, a subscription or a client that still waits.
 */
function watchTimers(): { alive(): string[]; stop(): void } {
  const alive = new Map<number, string>();
  const hook = createHook({
    init(asyncId, type) {
      if (type !== 'Timeout') return;
      const stack = new Error().stack ?? '';
      // The first frame of ours that made it, past this hook's own.
      const ours = stack
        .split('\n')
        .slice(1)
        .find(
          (line) =>
            /\/(packages|examples)\//.test(line) &&
            !line.includes('node_modules') &&
            !line.includes('AsyncHook.init'),
        );
      if (ours !== undefined) alive.set(asyncId, ours.trim());
    },
    destroy(asyncId) {
      alive.delete(asyncId);
    },
  });
  hook.enable();
  return { alive: () => [...alive.values()], stop: () => hook.disable() };
}

/**
 * Starts a server for `options` over `transport` (on 127.0.0.1, port 0, for `ws`). Its
 * `close()` closes every client and peer, then the server, and fails the test when the
 * server still counts a running call or subscription (one whose clean-up never finished)
 * or when more timers are alive than when the harness started.
 */
export async function startHarness<TRouter extends AnyRouter>(
  options: ServerOptions<TRouter>,
  transport: TestTransport = TRANSPORT,
): Promise<Harness<TRouter>> {
  const timers = watchTimers();
  const server = createServer(options);
  let url: string;
  let SocketClass: WebSocketConstructor;
  if (transport === 'memory') {
    url = 'memory://volley.test/';
    SocketClass = server.inMemoryWebSocket();
  } else {
    const address = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${address.port}`;
    SocketClass = WebSocket;
  }
  const clients: Array<VolleyClient<TRouter>> = [];
  const raws: RawPeer[] = [];
  return {
    server,
    url,
    WebSocket: SocketClass,
    client(clientOptions = {}) {
      const client = createClient<TRouter>({ url, WebSocket: SocketClass, ...clientOptions });
      clients.push(client);
      return client;
    },
    async raw() {
      const peer = await openRaw(url, undefined, SocketClass);
      raws.push(peer);
      return peer;
    },
    async close() {
      try {
        await closeAndCheck();
      } finally {
        timers.stop();
      }
    },
  };

  async function closeAndCheck(): Promise<void> {
    await Promise.all(clients.map((client) => client.$close()));
    await Promise.all(raws.map((peer) => peer.close()));
    await server.close();
    const { calls, subscriptions } = server.stats;
    if (calls !== 0 || subscriptions !== 0) {
      throw new Error(
        `Leaked on the server: ${calls} call(s) and ${subscriptions} subscription(s) still running after close()`,
      );
    }
    // A closing handshake still under way keeps a timer for a moment; one still there
    // seconds later waits for something that will not come.
    const deadline = performance.now() + 5_000;
    while (timers.alive().length > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const leaked = timers.alive();
    if (leaked.length > 0) {
      throw new Error(
        `Leaked ${leaked.length} timer(s), still waiting after close(), made ${leaked.join('; ')}`,
      );
    }
  }
}

/** Waits for `predicate`'s event, failing after `ms` with `what` in the message. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects if `promise` has not settled within `ms` (a generous bound, never a timing assertion). */
export async function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the client's `$state` is `state` (at once if it is), failing after `ms`. */
export function untilState(
  client: {
    readonly $state: string;
    $onStateChange(listener: (state: string) => void): () => void;
  },
  state: string,
  what = `state ${state}`,
  ms?: number,
): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      if (client.$state === state) {
        resolve();
        return;
      }
      const stop = client.$onStateChange((now) => {
        if (now !== state) return;
        stop();
        resolve();
      });
    }),
    what,
    ms,
  );
}

/** What a test does to a raw peer's socket, over either transport. */
export interface RawSocket {
  /** A frame: text as is; bytes as a binary frame. */
  send(data: string | Uint8Array): void;
  /** Stops reading (a slow client); `resume()` reads again. */
  pause(): void;
  resume(): void;
  /** Drops the connection with no closing handshake. */
  terminate(): void;
}

/** A plain JSON-RPC peer on a raw socket: what an outsider would write. */
export interface RawPeer {
  socket: RawSocket;
  /** The `ws` socket itself, for tests of WebSocket details; `undefined` in memory. */
  ws: WebSocket | undefined;
  /** Sends a frame as is (a string) or as JSON. */
  send(frame: unknown): void;
  /** The next frame, parsed as JSON (or the raw text if it is not JSON). */
  next(what?: string): Promise<unknown>;
  /** Sends and waits for the next frame. */
  request(frame: unknown): Promise<unknown>;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<{ code: number; reason: string }>;
  /** Frames received and not yet taken by `next`. */
  readonly backlog: unknown[];
  close(): Promise<void>;
}

/**
 * Opens a raw peer on `url`: over ws (the default, with ws's client `options` such as
 * headers), or over any WebSocket class with the same event handlers (the server's
 * in-memory one).
 */
export function openRaw(
  url: string,
  protocols?: string[],
  via?: WebSocketConstructor | WebSocket.ClientOptions,
): Promise<RawPeer> {
  const socket = (
    typeof via === 'function' ? new via(url, protocols) : new WebSocket(url, protocols, via)
  ) as WebSocketLike & RawSocket;
  const backlog: unknown[] = [];
  const waiters: Array<(frame: unknown) => void> = [];
  let opened!: () => void;
  let failed!: (error: unknown) => void;
  const open = new Promise<void>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  /** Why the socket failed, if it said (ws names a refused upgrade's HTTP status here). */
  let error: unknown;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = (event: { code: number; reason: string }) => {
      failed(error ?? new Error(`Closed before it opened: ${event.code}`));
      resolve({ code: event.code, reason: String(event.reason) });
    };
  });
  socket.onerror = (event: { error?: unknown }) => {
    error ??= event.error;
  };
  socket.onopen = () => opened();
  socket.onmessage = (event: { data: unknown }) => {
    const text = String(event.data);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = text;
    }
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else backlog.push(frame);
  };
  const peer: RawPeer = {
    socket,
    ws: socket instanceof WebSocket ? socket : undefined,
    backlog,
    closed,
    send(frame) {
      socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    next(what = 'a frame') {
      if (backlog.length > 0) return Promise.resolve(backlog.shift());
      let waiter!: (frame: unknown) => void;
      const frame = new Promise((resolve) => {
        waiter = resolve;
        waiters.push(resolve);
      });
      // A waiter that timed out must not swallow a later frame.
      return within(frame, what).finally(() => {
        const index = waiters.indexOf(waiter);
        if (index !== -1) waiters.splice(index, 1);
      });
    },
    request(frame) {
      peer.send(frame);
      return peer.next(
        `the answer to ${typeof frame === 'string' ? frame : JSON.stringify(frame)}`,
      );
    },
    async close() {
      // CLOSING or CLOSED already: wait for the close that is under way.
      if (socket.readyState < 2) socket.close();
      await closed;
    },
  };
  return open.then(() => peer);
}

export { createRouter };
