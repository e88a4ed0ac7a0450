// Every option of `createClient`, with its default.
import type { CodecName, TraceMembers } from '@volley/core';
import type { ClientCodec } from './codec.js';
import type { ClientHandlers } from './handlers-link.js';
import type { WebSocketConstructor } from './websocket.js';

/** Default per-call timeout, in ms: 30 s. For a subscription it bounds each wait for an acknowledgement. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** How long a lazy client keeps an idle connection open, in ms: 10 s. */
export const DEFAULT_LAZY_IDLE_MS = 10_000;

/**
 * How long, in ms, an open connection may be silent before the client sends `rpc.ping`:
 * 15 s. When nothing at all arrives for one more interval after that, the connection is
 * declared dead (4000) and replaced: a half-open connection is found two intervals after
 * its last frame. (The server's own heartbeat, `DEFAULT_HEARTBEAT_INTERVAL_MS` in
 * `@volley/server`, is 30 s.)
 */
export const DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS = 15_000;

/**
 * How long one connection attempt may take, in ms, from opening the socket to the
 * server's answer to `rpc.init`, before it is abandoned as failed: 10 s. It catches
 * routes that swallow the handshake, where no close event would ever come.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Reconnection with exponential backoff and full jitter. Each member defaults to {@link DEFAULT_RETRY}'s. */
export interface RetryOptions {
  /** The cap of the first delay, in ms: 250. */
  initialDelayMs?: number | undefined;
  /** The largest cap any delay can have, in ms: 10 000. */
  maxDelayMs?: number | undefined;
  /**
   * Consecutive failed attempts before giving up: `Infinity` (never). Giving up fails what
   * waits with `ConnectionLostError` and leaves the client `idle`; the next call starts a
   * new series of attempts.
   */
  maxAttempts?: number | undefined;
}

// DEFAULT_RETRY's members one by one, for the connection: the build inlines these numbers
// where they are used, so a browser bundle does not carry the frozen object too.
export const RETRY_INITIAL_DELAY_MS = 250;
export const RETRY_MAX_DELAY_MS = 10_000;
export const RETRY_MAX_ATTEMPTS = Infinity;

/**
 * Defaults of {@link RetryOptions}: the n-th consecutive failure waits a random time in
 * [0, min(10 s, 250 ms × 2ⁿ)), and the client never gives up. Frozen.
 */
export const DEFAULT_RETRY: Readonly<{ [K in keyof RetryOptions]-?: number }> =
  /* @__PURE__ */ Object.freeze({
    initialDelayMs: RETRY_INITIAL_DELAY_MS,
    maxDelayMs: RETRY_MAX_DELAY_MS,
    maxAttempts: RETRY_MAX_ATTEMPTS,
  });

/** A value, or a function giving it (possibly async), asked again on every connection attempt. */
export type Lazy<T> = T | (() => T | Promise<T>);

/** The value of a {@link Lazy} option, asked for afresh. */
export const resolveLazy = async <T>(value: Lazy<T> | undefined): Promise<T | undefined> =>
  typeof value === 'function' ? (value as () => T | Promise<T>)() : value;

/** The `codec` option for each codec: required to speak msgpack, absent (or JSON) otherwise. */
interface CodecOptions {
  json: {
    /** The default: JSON-RPC as JSON text. */
    codec?: undefined;
  };
  msgpack: {
    /**
     * `msgpack` from `@volley/client/msgpack`: MessagePack in binary frames (subprotocol
     * `volley.msgpack`), so `Uint8Array` values travel as bytes. The server must list it
     * in `codecs`. Pair it with `createClient<AppRouter, 'msgpack'>` so outputs are typed
     * as they arrive.
     */
    codec: ClientCodec<'msgpack'>;
  };
}

/**
 * Options of `createClient`. Only `url` is required (and `codec` for a client typed for a
 * codec other than JSON).
 */
export type ClientOptions<TCodec extends CodecName = 'json'> = BaseClientOptions &
  CodecOptions[TCodec];

/** The options every client has, whatever its codec. */
export interface BaseClientOptions {
  /** The server's `ws://` or `wss://` URL, or a function giving it for each attempt. */
  url: Lazy<string | URL>;
  /**
   * Sent in `rpc.init` as the connection's first message, for the server's
   * `createContext` (a browser cannot set headers on a WebSocket). A function is asked
   * again for each connection, so it can return a fresh token. Must be JSON. Default: none.
   */
  connectionParams?: Lazy<unknown> | undefined;
  /**
   * Asked at each query and mutation for the W3C trace context to send with it, so that
   * the server's span of the call joins your trace (see PROTOCOL.md, "Trace context"):
   * `{ traceparent, tracestate? }`, or `undefined` to send none. With OpenTelemetry,
   * `activeTraceContext` from `@volley/otel` gives the active span's. Default: none.
   */
  trace?: (() => TraceMembers | undefined) | undefined;
  /**
   * The WebSocket implementation. Default: the platform's `WebSocket`. On Node 20,
   * pass `ws`'s default export.
   */
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * Default timeout of each call, in ms: {@link DEFAULT_TIMEOUT_MS} (30 s). `Infinity`
   * disables it. A call that times out rejects with `VolleyError` `TIMEOUT` and the server
   * is told to stop it. One timer per client, armed for the earliest deadline, serves every
   * timeout, so a call fires its timeout when `timeoutMs` has passed, as a timer of its
   * own would. A subscription's acknowledgement waits as long; once it is live, its resume
   * after a drop waits that long from when it is sent, so an outage of any length does not
   * end it.
   */
  timeoutMs?: number | undefined;
  /** Reconnection backoff: {@link DEFAULT_RETRY} (250 ms doubling to 10 s, never giving up). */
  retry?: RetryOptions | undefined;
  /**
   * How long, in ms, an open connection may be silent before the client pings it; it is
   * dropped (4000) when it stays silent one more interval: {@link DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS}
   * (15 s). `0` turns heartbeats off. Pings are sent only on a silent connection and never
   * keep a lazy one open.
   */
  heartbeatIntervalMs?: number | undefined;
  /**
   * Abandon a connection attempt that the server has not accepted (answered `rpc.init`)
   * within this many ms, and try again: {@link DEFAULT_CONNECT_TIMEOUT_MS} (10 s). `0` or
   * `Infinity` turns it off.
   */
  connectTimeoutMs?: number | undefined;
  /**
   * Connect at the first call rather than at once, and close the connection after it has
   * had nothing to do for `idleMs` ({@link DEFAULT_LAZY_IDLE_MS}, 10 s). Default `false`.
   */
  lazy?: boolean | { idleMs?: number | undefined } | undefined;
  /**
   * Reject calls and new subscriptions at once with `ConnectionLostError` (whose
   * `disconnect` says why) while the server cannot be reached, instead of queueing them
   * until they can be sent or time out. Default `false`.
   *
   * The server is unreachable from the first failed attempt of a series (the first
   * attempt, or the first after a connection was lost: the drop alone does not count)
   * until it accepts a connection. What waits when it becomes unreachable fails then.
   * Subscriptions that were already live keep waiting, and resume. A client that went
   * `idle` (gave up, or a lazy one idling) starts a new series at its next call, which
   * waits for that series' first attempt.
   */
  failFast?: boolean | undefined;
  /**
   * Handlers the server may call (server-to-client calls): `createHandlers(router)` from
   * `@volley/client/handlers`, with a router of queries and mutations made with
   * `initVolley()`. Default: none, and every request from the server is answered with
   * -32601 `METHOD_NOT_FOUND`. A lazy client serves them only while it is connected.
   */
  handlers?: ClientHandlers | undefined;
}
