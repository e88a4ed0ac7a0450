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
  type ResumeParams,
  type SubscriptionAck,
  VolleyError,
} from '@volley/core';
import {
  type Attempt,
  ClientConnection,
  type ConnectionState,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type RetryOptions,
} from './connection.js';
import { ClientClosedError, ConnectionLostError, ResyncRequiredError } from './errors.js';
import { createProxy } from './proxy.js';
import { reauthenticate } from './reauth.js';
import {
  createSubscription,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionSink,
} from './subscription.js';
import type { MutationOptions, VolleyClient } from './types.js';
import { resolveWebSocket, type WebSocketConstructor } from './websocket.js';

/** Default per-call timeout, in ms: 30 s. For a subscription it bounds each wait for an acknowledgement. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** How long a lazy client keeps an idle connection open, in ms: 10 s. */
export const DEFAULT_LAZY_IDLE_MS = 10_000;

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
  /** Reconnection backoff. See `DEFAULT_RETRY`. */
  retry?: RetryOptions;
  /**
   * Heartbeat interval in ms (see `DEFAULT_HEARTBEAT_INTERVAL_MS`); `0` turns heartbeats
   * off. Pings are sent only on a silent connection and never keep a lazy one open.
   */
  heartbeatIntervalMs?: number;
  /** Abandon a connection attempt not accepted within this many ms. See `DEFAULT_CONNECT_TIMEOUT_MS`. */
  connectTimeoutMs?: number;
  /**
   * Connect at the first call rather than at once, and close the connection after it has
   * had nothing to do for `idleMs` (default {@link DEFAULT_LAZY_IDLE_MS}). Default `false`.
   */
  lazy?: boolean | { idleMs?: number };
}

type Operation = 'query' | 'mutate';

interface ServerNotification {
  method?: unknown;
  params?: { subscription?: unknown; data?: unknown; eventId?: unknown; error?: unknown };
}

/** A request waiting to be answered, and what to do with it if the connection drops. */
interface Outgoing {
  /** The frame, built when sent (a subscription's changes once it has been acknowledged). */
  frame(): string;
  /** Whether it may be sent again on a new connection after being sent on a lost one. */
  readonly retriable: boolean;
  sent: boolean;
}

/** A live subscription, as the client tracks it across connections. */
interface LiveSubscription {
  /** The request id that started it, which its events carry. */
  readonly id: number;
  /** The request that starts it the first time. */
  readonly first: string;
  readonly sink: SubscriptionSink;
  readonly path: string;
  readonly params: Params | undefined;
  readonly options: SubscribeOptions<unknown>;
  /** Acknowledged at least once: a restart is a resume. */
  acked: boolean;
  /** The server acknowledged it on the current connection. */
  live: boolean;
}

function resolveLazy<T>(value: Lazy<T> | undefined): Promise<T | undefined> {
  return Promise.resolve(typeof value === 'function' ? (value as () => T | Promise<T>)() : value);
}

/** The client's engine: ids, the pending-call table, the subscription table. */
class ClientCore {
  #nextId = 0;
  readonly #pending = new PendingCalls<number>();
  /** Requests not yet answered, in the order they were made. */
  readonly #outgoing = new Map<number, Outgoing>();
  readonly #subscriptions = new Map<number, LiveSubscription>();
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  readonly #connection: ClientConnection;
  readonly #options: ClientOptions;
  readonly #timeoutMs: number;
  readonly #lazyIdleMs: number | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The id of the current connection's rpc.init, while unanswered. */
  #initId: number | undefined;
  #closed = false;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const lazy = options.lazy;
    this.#lazyIdleMs =
      lazy === undefined || lazy === false
        ? undefined
        : ((lazy === true ? undefined : lazy.idleMs) ?? DEFAULT_LAZY_IDLE_MS);
    this.#connection = new ClientConnection(
      {
        prepare: () => this.#prepare(),
        onOpen: () => this.#flush(),
        onMessage: (text) => this.#onMessage(text),
        onDrop: (code, reason) => this.#onDrop(code, reason),
        onGiveUp: (code, reason) => this.#failAll(new ConnectionLostError(code, reason)),
        onStateChange: (state) => {
          for (const listener of [...this.#stateListeners]) listener(state);
        },
      },
      resolveWebSocket(options.WebSocket),
      options.retry,
      options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      options.connectTimeoutMs,
    );
    if (this.#lazyIdleMs === undefined) this.#connection.connect();
  }

  get state(): ConnectionState {
    return this.#connection.state;
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Resolves the URL and connection params, and registers the `rpc.init` that greets the server. */
  async #prepare(): Promise<Attempt> {
    const [url, connectionParams] = await Promise.all([
      resolveLazy(this.#options.url),
      resolveLazy(this.#options.connectionParams),
    ]);
    const id = ++this.#nextId;
    const params: InitParams = connectionParams === undefined ? {} : { connectionParams };
    // Its answer means the server accepted the connection; a refusal closes the socket.
    this.#dropInit();
    this.#initId = id;
    this.#pending.add(id, { resolve: () => this.#connection.accepted(), reject: () => {} });
    return { url: String(url), greeting: encodeRequest(id, METHODS.INIT, params as Params) };
  }

  /** Forgets the greeting of a connection that is gone. */
  #dropInit(): void {
    if (this.#initId !== undefined) this.#pending.delete(this.#initId);
    this.#initId = undefined;
  }

  /** A socket opened: send everything waiting, in the order it was made. */
  #flush(): void {
    for (const request of this.#outgoing.values()) {
      if (!request.sent) request.sent = this.#connection.send(request.frame());
    }
  }

  /** Sends a new request now if the socket is open; otherwise it waits for one. */
  #enqueue(id: number, request: Outgoing): void {
    this.#outgoing.set(id, request);
    this.#busy();
    request.sent = this.#connection.send(request.frame());
    if (!request.sent) this.#connection.connect();
  }

  #settled(id: number): void {
    this.#outgoing.delete(id);
    this.#idleCheck();
  }

  call(
    operation: Operation,
    path: string,
    input: unknown,
    options: MutationOptions = {},
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
      const cleanup = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#settled(id);
      };
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
          this.#cancelRemote(id);
          cleanup();
          reject(
            new VolleyError({
              code: 'TIMEOUT',
              message: `"${path}" timed out after ${timeoutMs} ms`,
            }),
          );
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      // A query is safe to send again after a lost connection; a mutation only when the
      // caller says it is idempotent.
      this.#enqueue(id, {
        frame: () => text,
        retriable: operation === 'query' || options.idempotent === true,
        sent: false,
      });
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
        this.#settled(id);
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
    let params: Params | undefined;
    let first: string;
    try {
      params = paramsFromInput(input);
      first = encodeRequest(id, path, params);
    } catch (error) {
      sink.fail(
        new TypeError(`The input of subscription "${path}" is not JSON-serialisable`, {
          cause: error,
        }),
      );
      return subscription;
    }
    // A sink that detaches itself from the tables and the signal when it ends.
    const detaching: SubscriptionSink = {
      ...sink,
      get position() {
        return sink.position;
      },
      complete: () => {
        this.#forget(id, signal, onAbort);
        sink.complete();
      },
      fail: (error) => {
        this.#forget(id, signal, onAbort);
        sink.fail(error);
      },
    };
    const live: LiveSubscription = {
      id,
      first,
      sink: detaching,
      path,
      params,
      options,
      acked: false,
      live: false,
    };
    this.#subscriptions.set(id, live);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#startSubscription(live);
    return subscription;
  }

  /** Sends (or, after a lost connection, re-sends) a subscription and awaits its ack. */
  #startSubscription(live: LiveSubscription): void {
    const { id } = live;
    const timeoutMs = live.options.timeoutMs ?? this.#timeoutMs;
    this.#pending.add(
      id,
      {
        resolve: (result) => this.#onAck(id, live, result as SubscriptionAck),
        reject: (error) => live.sink.fail(error),
      },
      timeoutMs,
      () => {
        this.#cancelRemote(id);
        live.sink.fail(
          new VolleyError({
            code: 'TIMEOUT',
            message: `"${live.path}" was not acknowledged within ${timeoutMs} ms`,
          }),
        );
      },
    );
    this.#enqueue(id, {
      // The first time a direct call; after a lost connection, rpc.resume from the position.
      frame: () => {
        if (!live.acked) return live.first;
        const resume: ResumeParams = { method: live.path };
        if (live.params !== undefined) resume.params = live.params;
        if (live.sink.position !== undefined) resume.lastEventId = live.sink.position;
        return encodeRequest(id, METHODS.RESUME, resume as unknown as Params);
      },
      retriable: true,
      sent: false,
    });
  }

  #onAck(id: number, live: LiveSubscription, ack: SubscriptionAck): void {
    this.#outgoing.delete(id);
    const resumed = live.acked;
    live.acked = true;
    live.live = true;
    const hadPosition = live.sink.position !== undefined;
    if (typeof ack?.lastEventId === 'string' && (!hadPosition || ack.recovered === false)) {
      live.sink.setPosition(ack.lastEventId);
    }
    if (!resumed) {
      live.sink.started();
      return;
    }
    const recovered = ack?.recovered === true;
    if (live.options.onResumed !== undefined) live.options.onResumed({ recovered });
    else if (!recovered && hadPosition) {
      // Events may be missing and nobody is listening for it: fail rather than go on with a gap.
      this.#cancelRemote(id);
      live.sink.fail(new ResyncRequiredError(live.sink.position));
    }
  }

  #forget(id: number, signal: AbortSignal | undefined, onAbort: () => void): void {
    this.#subscriptions.delete(id);
    this.#pending.delete(id);
    signal?.removeEventListener('abort', onAbort);
    this.#settled(id);
  }

  /** Tells the server to stop request `id`, unless it never left this client. */
  #cancelRemote(id: number): void {
    const request = this.#outgoing.get(id);
    this.#outgoing.delete(id);
    if (request?.sent === false) return;
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
      if (typeof message.id !== 'number') return; // a heartbeat's "pong"
      if ('error' in message)
        this.#pending.reject(message.id, VolleyError.fromErrorObject(message.error));
      else this.#pending.resolve(message.id, message.result);
      return;
    }
    const { method, params } = (message ?? {}) as ServerNotification;
    const id = params?.subscription;
    if (typeof id !== 'number') return;
    const live = this.#subscriptions.get(id);
    if (live === undefined) return; // Already unsubscribed here; the server is catching up.
    if (method === METHODS.EVENT) {
      live.sink.push(
        params?.data,
        typeof params?.eventId === 'string' ? params.eventId : undefined,
      );
    } else if (method === METHODS.COMPLETE) live.sink.complete();
    else if (method === METHODS.ERROR) {
      const error = params?.error as { code?: unknown; message?: unknown } | undefined;
      live.sink.fail(
        typeof error?.code === 'number' && typeof error.message === 'string'
          ? VolleyError.fromErrorObject(error as { code: number; message: string })
          : new VolleyError({
              code: 'INTERNAL_ERROR',
              message: 'Malformed rpc.error from the server',
            }),
      );
    }
  }

  /**
   * The socket dropped. Sent requests that may not run twice fail; everything else waits
   * for the next connection. Returns whether to reconnect.
   */
  #onDrop(code: number, reason: string): boolean {
    this.#dropInit();
    if (code === CLOSE_CODES.UNAUTHORIZED || code === CLOSE_CODES.FORBIDDEN) {
      // Refused: retrying with the same credentials would only storm the server.
      this.#failAll(
        new VolleyError({
          code: code === CLOSE_CODES.UNAUTHORIZED ? 'UNAUTHORIZED' : 'FORBIDDEN',
          message: reason || (code === CLOSE_CODES.UNAUTHORIZED ? 'Unauthorized' : 'Forbidden'),
        }),
      );
      return false;
    }
    const lost = new ConnectionLostError(code, reason);
    for (const [id, request] of [...this.#outgoing]) {
      if (!request.sent) continue;
      if (request.retriable) request.sent = false;
      else this.#pending.reject(id, lost);
    }
    // Acknowledged subscriptions resume on the next connection.
    for (const live of this.#subscriptions.values()) {
      if (!live.live) continue;
      live.live = false;
      this.#startSubscription(live);
    }
    return this.#lazyIdleMs === undefined || this.#outgoing.size > 0;
  }

  /** A lazy client has work: keep (or get) its connection. */
  #busy(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** A lazy client with nothing waiting closes its connection after `idleMs`. */
  #idleCheck(): void {
    if (this.#lazyIdleMs === undefined || this.#outgoing.size > 0 || this.#subscriptions.size > 0)
      return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#outgoing.size === 0 && this.#subscriptions.size === 0)
        this.#connection.disconnect();
    }, this.#lazyIdleMs);
  }

  #failAll(error: unknown): void {
    const lives = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    this.#outgoing.clear();
    this.#pending.rejectAll(error);
    for (const live of lives) live.sink.fail(error);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      clearTimeout(this.#idleTimer);
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
      $reauth: () =>
        reauthenticate((path, input) => core.call('mutate', path, input), options.connectionParams),
      $onStateChange: (listener: (state: ConnectionState) => void) => core.onStateChange(listener),
      get $state() {
        return core.state;
      },
    },
  ) as VolleyClient<TRouter>;
}
