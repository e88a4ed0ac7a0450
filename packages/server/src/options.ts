import type { IncomingMessage } from 'node:http';
import type { AnyRouter, ProcedureType, RouterContext, VolleyError } from '@volley/core';
import type { LimitOptions } from './limits.js';

/** Largest frame accepted, in bytes: 1 MiB. Larger frames close the socket with 1009 before parsing. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * How long `close()` waits, in ms, for sockets to finish their closing handshake and
 * for subscriptions' `finally` blocks, before it terminates what is left: 5 s.
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/**
 * How many frames a connection may send while its context is still being created;
 * one more closes it with 1008: 1,000.
 */
export const DEFAULT_MAX_QUEUED_BEFORE_READY = 1_000;

/**
 * How often, in ms, the server pings each socket (a WebSocket ping frame): 30 s. A peer
 * that has not answered one ping by the next is terminated, so a half-open connection is
 * released within about two intervals. `0` turns it off.
 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * How long `close()` lets running queries and mutations finish, in ms, before it closes
 * the sockets: 10 s. Subscriptions do not hold it up; clients resume them elsewhere.
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/**
 * What `createContext` receives for each new connection. It runs at the connection's
 * first frame, so that `rpc.init`'s connection params can take part, and again for each
 * `rpc.auth` (a refreshed token: see `client.$reauth()`).
 */
export interface ConnectionInfo {
  /** The HTTP upgrade request: headers, cookies, URL and `socket.remoteAddress`. */
  request: IncomingMessage;
  /** A nanoid, unique across servers. */
  connectionId: string;
  /**
   * What the client sent as `connectionParams` in `rpc.init`, or in `rpc.auth` when it
   * re-authenticates (a browser cannot set headers, so tokens travel here), or
   * `undefined`. Untrusted JSON: validate it.
   */
  connectionParams: unknown;
}

/** What `onError` receives. */
export interface ErrorInfo {
  /** Normalised; the original is `error.cause` when it was not a `VolleyError`. */
  error: VolleyError;
  connectionId: string;
  /** The procedure's path, when the error came from one. */
  path?: string;
  type?: ProcedureType;
  /** The raw input, when the error came from a procedure. */
  input?: unknown;
}

type ContextOption<TCtx> =
  Record<never, never> extends TCtx
    ? {
        /** Builds the context once per connection. Optional: this router's context has no required keys. */
        createContext?: (info: ConnectionInfo) => TCtx | Promise<TCtx>;
      }
    : {
        /**
         * Builds the context once per connection, from the upgrade request. Throw a
         * `VolleyError` with `UNAUTHORIZED` or `FORBIDDEN` to close the connection with
         * 4401 or 4403; anything else closes it with 1011 and reaches `onError`. It runs
         * again for each `rpc.auth`, where a throw is answered as an error instead and
         * the connection keeps its context.
         */
        createContext: (info: ConnectionInfo) => TCtx | Promise<TCtx>;
      };

/** Options of {@link createServer}. */
export type ServerOptions<TRouter extends AnyRouter> = ContextOption<RouterContext<TRouter>> & {
  /** The router to serve. */
  router: TRouter;
  /** Largest frame accepted, in bytes. Default {@link DEFAULT_MAX_PAYLOAD}. */
  maxPayload?: number;
  /**
   * Send unexpected errors' messages and stacks to clients. Default `false`: clients
   * get `Internal error` and only `onError` sees the real error. For development only.
   */
  exposeErrors?: boolean;
  /**
   * Called with every error a procedure throws (and every server-side failure). It
   * must not throw; if it does, the throw is swallowed so that serving goes on.
   */
  onError?: (info: ErrorInfo) => void;
  /** See {@link DEFAULT_CLOSE_TIMEOUT_MS}. */
  closeTimeoutMs?: number;
  /** See {@link DEFAULT_HEARTBEAT_INTERVAL_MS}. */
  heartbeatIntervalMs?: number;
  /** See {@link DEFAULT_DRAIN_TIMEOUT_MS}. */
  drainTimeoutMs?: number;
  /** See {@link DEFAULT_MAX_QUEUED_BEFORE_READY}. */
  maxQueuedBeforeReady?: number;
} & LimitOptions;
