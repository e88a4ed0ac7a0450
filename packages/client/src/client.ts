import {
  type AnyRouter,
  CLOSE_CODES,
  encodeRequest,
  type InitParams,
  isResponse,
  METHODS,
  type Params,
  PendingCalls,
  paramsFromInput,
  VolleyError,
} from '@volley/core';
import { ClientConnection } from './connection.js';

function resolveLazy<T>(value: Lazy<T> | undefined): Promise<T | undefined> {
  return Promise.resolve(typeof value === 'function' ? (value as () => T | Promise<T>)() : value);
}

import { ClientClosedError, ConnectionLostError } from './errors.js';
import { createProxy } from './proxy.js';
import {
  createSubscription,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionSink,
} from './subscription.js';
import type { CallOptions, VolleyClient } from './types.js';
import { resolveWebSocket, type WebSocketConstructor } from './websocket.js';

/** Default per-call timeout, in ms: 30 s. For a subscription it bounds the wait for the acknowledgement. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** A value, or a function giving it (possibly async), asked again on every connection attempt. */
export type Lazy<T> = T | (() => T | Promise<T>);

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The server's `ws://` or `wss://` URL, or a function giving it for each attempt. */
  url: Lazy<string | URL>;
  /**
   * Sent in `rpc.init` as the connection's first message, for the server's
   * `createContext` (a browser cannot set headers on a WebSocket). A function is asked
   * again for each connection, so it can return a fresh token. Must be JSON.
   */
  connectionParams?: Lazy<unknown>;
  /**
   * The WebSocket implementation. Default: the platform's `WebSocket`. On Node 20,
   * pass `ws`'s default export.
   */
  WebSocket?: WebSocketConstructor;
  /** Default timeout of each call, in ms. See {@link DEFAULT_TIMEOUT_MS}. `Infinity` disables it. */
  timeoutMs?: number;
  /** Open the socket at the first call rather than at once. Default `false`. */
  lazy?: boolean;
}

type Operation = 'query' | 'mutate';

interface ServerNotification {
  method?: unknown;
  params?: { subscription?: unknown; data?: unknown; eventId?: unknown; error?: unknown };
}

/** The client's engine: ids, the pending-call table, the subscription table. */
class ClientCore {
  #nextId = 0;
  readonly #pending = new PendingCalls<number>();
  readonly #subscriptions = new Map<number, SubscriptionSink>();
  readonly #connection: ClientConnection;
  readonly #timeoutMs: number;
  #closed = false;

  constructor(options: ClientOptions) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#connection = new ClientConnection({
      prepare: () => this.#prepare(options),
      WebSocket: resolveWebSocket(options.WebSocket),
      onMessage: (text) => this.#onMessage(text),
      onLost: (code, reason) => this.#onLost(code, reason),
    });
    if (options.lazy !== true) this.#connection.connect();
  }

  get state() {
    return this.#connection.state;
  }

  /** Resolves the URL and connection params, and registers the `rpc.init` that greets the server. */
  async #prepare(options: ClientOptions): Promise<{ url: string; greeting: string }> {
    const [url, connectionParams] = await Promise.all([
      resolveLazy(options.url),
      resolveLazy(options.connectionParams),
    ]);
    const id = ++this.#nextId;
    const params: InitParams = connectionParams === undefined ? {} : { connectionParams };
    const greeting = encodeRequest(id, METHODS.INIT, params as Params);
    // Its answer means the server accepted the connection; a refusal closes the socket.
    this.#pending.add(id, { resolve: () => {}, reject: () => {} });
    return { url: String(url), greeting };
  }

  call(
    operation: Operation,
    path: string,
    input: unknown,
    options: CallOptions = {},
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ClientClosedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = ++this.#nextId;
    let text: string;
    try {
      text = encodeRequest(id, path, paramsFromInput(input));
    } catch (error) {
      return Promise.reject(
        new TypeError(`The input of ${operation} "${path}" is not JSON-serialisable`, {
          cause: error,
        }),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this.#pending.delete(id)) return;
        this.#cancelRemote(id);
        reject(signal?.reason);
      };
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      this.#pending.add(
        id,
        {
          resolve: (value) => {
            cleanup();
            resolve(value);
          },
          reject: (error) => {
            cleanup();
            reject(error);
          },
        },
        timeoutMs,
        () => {
          cleanup();
          this.#cancelRemote(id);
          reject(
            new VolleyError({
              code: 'TIMEOUT',
              message: `"${path}" timed out after ${timeoutMs} ms`,
            }),
          );
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#connection.send(text, id);
    });
  }

  subscribe(
    path: string,
    input: unknown,
    options: SubscribeOptions<unknown> = {},
  ): Subscription<unknown> {
    const id = ++this.#nextId;
    const { signal } = options;
    const onAbort = () => subscription.unsubscribe();
    const { subscription, sink } = createSubscription(options, () => {
      signal?.removeEventListener('abort', onAbort);
      if (this.#subscriptions.delete(id)) {
        this.#pending.delete(id);
        this.#cancelRemote(id);
      }
    });
    if (this.#closed) {
      sink.fail(new ClientClosedError());
      return subscription;
    }
    if (signal?.aborted) {
      sink.complete();
      return subscription;
    }
    let text: string;
    try {
      text = encodeRequest(id, path, paramsFromInput(input));
    } catch (error) {
      sink.fail(
        new TypeError(`The input of subscription "${path}" is not JSON-serialisable`, {
          cause: error,
        }),
      );
      return subscription;
    }
    // A sink that detaches itself from the table and the signal when it ends.
    const tracked: SubscriptionSink = {
      started: sink.started,
      push: sink.push,
      complete: () => {
        this.#forget(id, signal, onAbort);
        sink.complete();
      },
      fail: (error) => {
        this.#forget(id, signal, onAbort);
        sink.fail(error);
      },
    };
    this.#subscriptions.set(id, tracked);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    this.#pending.add(
      id,
      { resolve: () => tracked.started(), reject: (error) => tracked.fail(error) },
      timeoutMs,
      () => {
        this.#cancelRemote(id);
        tracked.fail(
          new VolleyError({
            code: 'TIMEOUT',
            message: `"${path}" was not acknowledged within ${timeoutMs} ms`,
          }),
        );
      },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#connection.send(text, id);
    return subscription;
  }

  #forget(id: number, signal: AbortSignal | undefined, onAbort: () => void): void {
    this.#subscriptions.delete(id);
    this.#pending.delete(id);
    signal?.removeEventListener('abort', onAbort);
  }

  /** Tells the server to stop request `id`, unless it never left the outbox. */
  #cancelRemote(id: number): void {
    if (this.#connection.unqueue(id)) return;
    this.#connection.send(encodeRequest(undefined, METHODS.CANCEL, { id }));
  }

  #onMessage(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return; // Not from a Volley server; nothing to correlate it with.
    }
    if (Array.isArray(value)) for (const item of value) this.#handle(item);
    else this.#handle(value);
  }

  #handle(message: unknown): void {
    if (isResponse(message)) {
      if (typeof message.id !== 'number') return;
      if ('error' in message)
        this.#pending.reject(message.id, VolleyError.fromErrorObject(message.error));
      else this.#pending.resolve(message.id, message.result);
      return;
    }
    const { method, params } = (message ?? {}) as ServerNotification;
    const id = params?.subscription;
    if (typeof id !== 'number') return;
    const sink = this.#subscriptions.get(id);
    if (sink === undefined) return; // Already unsubscribed here; the server is catching up.
    if (method === METHODS.EVENT) {
      sink.push(params?.data, typeof params?.eventId === 'string' ? params.eventId : undefined);
    } else if (method === METHODS.COMPLETE) sink.complete();
    else if (method === METHODS.ERROR) {
      const error = params?.error as { code?: unknown; message?: unknown } | undefined;
      sink.fail(
        typeof error?.code === 'number' && typeof error.message === 'string'
          ? VolleyError.fromErrorObject(error as { code: number; message: string })
          : new VolleyError({
              code: 'INTERNAL_ERROR',
              message: 'Malformed rpc.error from the server',
            }),
      );
    }
  }

  #onLost(code: number, reason: string): void {
    const error =
      code === CLOSE_CODES.UNAUTHORIZED
        ? new VolleyError({ code: 'UNAUTHORIZED', message: reason || 'Unauthorized' })
        : code === CLOSE_CODES.FORBIDDEN
          ? new VolleyError({ code: 'FORBIDDEN', message: reason || 'Forbidden' })
          : new ConnectionLostError(code, reason);
    this.#failAll(error);
  }

  #failAll(error: unknown): void {
    const sinks = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    this.#pending.rejectAll(error);
    for (const sink of sinks) sink.fail(error);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#failAll(new ClientClosedError());
    }
    return this.#connection.close();
  }
}

/**
 * Creates a typed client for the router type `TRouter`, which you import with
 * `import type` from your server code: no code generation, no runtime import of it.
 *
 * @example
 * const client = createClient<AppRouter>({ url: 'ws://localhost:3000', WebSocket });
 * const text = await client.greet.query({ name: 'Ada' });
 * @throws TypeError when no WebSocket implementation is available.
 */
export function createClient<TRouter extends AnyRouter>(
  options: ClientOptions,
): VolleyClient<TRouter> {
  const core = new ClientCore(options);
  return createProxy(
    {
      call: (operation, path, input, callOptions) => core.call(operation, path, input, callOptions),
      subscribe: (path, input, subscribeOptions) => core.subscribe(path, input, subscribeOptions),
    },
    {
      $close: () => core.close(),
      get $state() {
        return core.state;
      },
    },
  ) as VolleyClient<TRouter>;
}
