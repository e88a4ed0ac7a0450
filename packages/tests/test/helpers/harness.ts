import { createClient, type VolleyClient } from '@volley/client';
import { type AnyRouter, createRouter } from '@volley/core';
import { createServer, type ServerOptions, type VolleyServer } from '@volley/server';
import WebSocket from 'ws';

/** A server listening on 127.0.0.1, port 0, and the clients made against it; `close()` releases all. */
export interface Harness<TRouter extends AnyRouter> {
  server: VolleyServer;
  url: string;
  client(options?: { timeoutMs?: number; lazy?: boolean }): VolleyClient<TRouter>;
  raw(): Promise<RawPeer>;
  close(): Promise<void>;
}

export async function startHarness<TRouter extends AnyRouter>(
  options: ServerOptions<TRouter>,
): Promise<Harness<TRouter>> {
  const server = createServer(options);
  const address = await server.listen(0, '127.0.0.1');
  const url = `ws://127.0.0.1:${address.port}`;
  const clients: Array<VolleyClient<TRouter>> = [];
  const raws: RawPeer[] = [];
  return {
    server,
    url,
    client(clientOptions = {}) {
      const client = createClient<TRouter>({ url, WebSocket, ...clientOptions });
      clients.push(client);
      return client;
    },
    async raw() {
      const peer = await openRaw(url);
      raws.push(peer);
      return peer;
    },
    async close() {
      await Promise.all(clients.map((client) => client.$close()));
      await Promise.all(raws.map((peer) => peer.close()));
      await server.close();
    },
  };
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

/** A plain JSON-RPC peer on a raw `ws` socket: what an outsider would write. */
export interface RawPeer {
  socket: WebSocket;
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

export function openRaw(
  url: string,
  protocols?: string[],
  options?: WebSocket.ClientOptions,
): Promise<RawPeer> {
  const socket = new WebSocket(url, protocols, options);
  const backlog: unknown[] = [];
  const waiters: Array<(frame: unknown) => void> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  socket.on('error', () => {});
  socket.on('message', (data) => {
    const text = data.toString();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = text;
    }
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else backlog.push(frame);
  });
  const peer: RawPeer = {
    socket,
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
      if (socket.readyState !== WebSocket.CLOSED) {
        socket.close();
        await closed;
      }
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(peer));
    socket.once('error', reject);
  });
}

export { createRouter };
