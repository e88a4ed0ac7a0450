import type { IncomingMessage } from 'node:http';
import type { AnyRouter, ProcedureType, RouterContext, VolleyError } from '@volley/core';
import type { ClientCallServerOptions } from './client-calls-options.js';
import type { ServerCodec } from './codec.js';
import type { DiscoveryOptions } from './discovery.js';
import type { LimitOptions } from './limits.js';
import type { ServerObserver } from './observer.js';

/**
 * How long `close()` waits, in ms, for sockets to finish their closing handshake and
 * for subscriptions' `finally` blocks, before it terminates what is left: 5 s.
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

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
   * The client's IP address: the socket's peer, or, with `trustProxy`, the address the
   * trusted proxies saw. `undefined` when unknown (an in-memory connection).
   */
  clientAddress: string | undefined;
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
  /** The connection it happened on (`ConnectionInfo.connectionId`). */
  connectionId: string;
  /** The connection's client address (see `ConnectionInfo.clientAddress`), when known. */
  clientAddress?: string | undefined;
  /** The procedure's path, when the error came from one. */
  path?: string | undefined;
  /** The procedure's kind, when the error came from one. */
  type?: ProcedureType | undefined;
  /** The raw input, when the error came from a procedure. */
  input?: unknown;
}

type ContextOption<TCtx> =
  Record<never, never> extends TCtx
    ? {
        /** Builds the context once per connection. Optional: this router's context has no required keys. */
        createContext?: ((info: ConnectionInfo) => TCtx | Promise<TCtx>) | undefined;
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
  /**
   * Send unexpected errors' messages and stacks to clients. Default `false`: clients
   * get `Internal error` and only `onError` sees the real error. For development only.
   */
  exposeErrors?: boolean | undefined;
  /**
   * Called with every error a procedure throws (expected ones, such as invalid input or a
   * `VolleyError` you threw, included) and every failure of the server's own. It must not
   * throw; if it does, the throw is swallowed so that serving goes on. Default
   * `reportToStderr`, which writes unexpected errors (`INTERNAL_ERROR`) to stderr; `false`
   * reports nothing.
   */
  onError?: ((info: ErrorInfo) => void) | false | undefined;
  /**
   * Read each client's address from the `X-Forwarded-For` header of its upgrade request,
   * as set by proxies in front of the server: `true` (or `1`) trusts the one proxy in
   * front (the header's last entry is the client), a number `n` trusts `n` proxies (the
   * `n`-th entry from the end). Default `false`: the socket's own address. The address is
   * `ConnectionInfo.clientAddress` and what `maxConnectionsPerAddress` counts. Only set it
   * when clients cannot reach the server except through those proxies, or a client could
   * claim any address.
   */
  trustProxy?: boolean | number | undefined;
  /** See {@link DEFAULT_CLOSE_TIMEOUT_MS}. */
  closeTimeoutMs?: number | undefined;
  /** See {@link DEFAULT_HEARTBEAT_INTERVAL_MS}. */
  heartbeatIntervalMs?: number | undefined;
  /** See {@link DEFAULT_DRAIN_TIMEOUT_MS}. */
  drainTimeoutMs?: number | undefined;
  /**
   * `rpc.discover`: describe the procedures (names, params, results, events) as an OpenRPC
   * document, for clients in other languages and tools. Default on, with
   * `DEFAULT_DISCOVERY_INFO` as its title and version; pass `{ info: { title, version } }`
   * to name your API. The document shows the API's shape (what anyone with the router's
   * type knows) and no data; `false` turns it off, and `rpc.discover` is then -32601.
   */
  discovery?: DiscoveryOptions | false | undefined;
  /**
   * Hears what the server does: connections, calls with their outcome and duration,
   * subscriptions, events, bytes, backpressure and limit hits (see `ServerObserver`;
   * `server.observe()` attaches more). Default none, which costs nothing measurable.
   */
  observer?: ServerObserver | undefined;
  /**
   * Encodings besides JSON that clients may ask for, each by its WebSocket subprotocol:
   * `[msgpack]` (from `@volley/server/msgpack`) lets a client that asks for
   * `volley.msgpack` send and receive MessagePack binary frames, in which `Uint8Array`
   * values travel as bytes. Default none: every connection speaks JSON text, which is
   * also what any client that asks for no such subprotocol gets. See PROTOCOL.md.
   */
  codecs?: readonly ServerCodec[] | undefined;
} & LimitOptions &
  ClientCallServerOptions;
