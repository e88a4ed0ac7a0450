import type { RetryOptions } from './connection.js';
import type { WebSocketConstructor } from './websocket.js';

/** Default per-call timeout, in ms: 30 s. For a subscription it bounds each wait for an acknowledgement. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** How long a lazy client keeps an idle connection open, in ms: 10 s. */
export const DEFAULT_LAZY_IDLE_MS = 10_000;

/** A value, or a function giving it (possibly async), asked again on every connection attempt. */
export type Lazy<T> = T | (() => T | Promise<T>);

/** The value of a {@link Lazy} option, asked for afresh. */
export const resolveLazy = async <T>(value: Lazy<T> | undefined): Promise<T | undefined> =>
  typeof value === 'function' ? (value as () => T | Promise<T>)() : value;

/** Options of `createClient`. */
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
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * Default timeout of each call, in ms. See {@link DEFAULT_TIMEOUT_MS}. `Infinity` disables
   * it. One timer per client, armed for the earliest deadline, serves every timeout, so a
   * call fires its timeout when `timeoutMs` has passed, as a timer of its own would.
   */
  timeoutMs?: number | undefined;
  /** Reconnection backoff. See `DEFAULT_RETRY`. */
  retry?: RetryOptions | undefined;
  /**
   * Heartbeat interval in ms (see `DEFAULT_HEARTBEAT_INTERVAL_MS`); `0` turns heartbeats
   * off. Pings are sent only on a silent connection and never keep a lazy one open.
   */
  heartbeatIntervalMs?: number | undefined;
  /** Abandon a connection attempt not accepted within this many ms. See `DEFAULT_CONNECT_TIMEOUT_MS`. */
  connectTimeoutMs?: number | undefined;
  /**
   * Connect at the first call rather than at once, and close the connection after it has
   * had nothing to do for `idleMs` (default {@link DEFAULT_LAZY_IDLE_MS}). Default `false`.
   */
  lazy?: boolean | { idleMs?: number | undefined } | undefined;
}
