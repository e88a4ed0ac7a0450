// The public shape of a running server: what `createServer` returns, and what its
// methods take and report. The server itself is in server.ts.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { InMemoryWebSocket } from './memory-websocket.js';
import type { ServerObserver } from './observer.js';
import type { TransportFactory } from './transport.js';

/** Options of {@link VolleyServer.attach}. */
export interface AttachOptions {
  /** Only upgrades to this path are Volley's (query string ignored). Default: every path. */
  path?: string | undefined;
}

/** What {@link VolleyServer.accept} knows of a connection's origin. */
export interface AcceptInfo {
  /** The upgrade request, which `createContext` receives. */
  request: IncomingMessage;
  /** The client's address, for `maxConnectionsPerAddress`, `createContext` and `onError`. */
  clientAddress: string | undefined;
  /**
   * The WebSocket subprotocol agreed at the upgrade: a codec's (`volley.msgpack`, given in
   * `codecs`) makes the connection speak it; anything else, or none, JSON.
   */
  protocol?: string | undefined;
}

/** What a server holds now. */
export interface ServerStats {
  /** Accepted connections (their context is ready), which `maxConnections` bounds. */
  accepted: number;
  /** Connections open but not accepted yet, which `maxPendingConnections` bounds. */
  pending: number;
  /** Queries and mutations running. */
  calls: number;
  /**
   * Subscriptions running, from their request until their end is sent and their stream's
   * `finally` has run, on connections open or closed: after `close()`, anything left here
   * is a subscription whose clean-up never finished.
   */
  subscriptions: number;
}

/**
 * What a server holds now, broken down: see {@link VolleyServer.gauges}. Each map is a
 * fresh copy.
 */
export interface ServerGauges extends ServerStats {
  /** Open connections (accepted or not) by their upgrade request's `Origin` (`""` for none). */
  connectionsByOrigin: Map<string, number>;
  /** Live subscriptions to pub/sub topics, by topic (other subscriptions are not here). */
  subscriptionsByTopic: Map<string, number>;
}

/** A running Volley server. Serve it with `listen`, `attach`, `handleUpgrade` or `accept`, or several. */
export interface VolleyServer {
  /**
   * Listens on its own HTTP server. Plain HTTP requests get 426 Upgrade Required. Its
   * requests must arrive whole within `upgradeTimeoutMs`, and at most `maxPendingUpgrades`
   * sockets may be mid-request. Resolves with the bound address once listening.
   */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /**
   * Serves WebSocket upgrades of an existing `http` or `https` server, so Volley shares
   * its port with normal routes. Returns a function that detaches again. That server's
   * own timeouts (`headersTimeout`, `requestTimeout`) and socket caps are yours to set.
   */
  attach(server: HttpServer | HttpsServer, options?: AttachOptions): () => void;
  /**
   * Completes an upgrade from your own `'upgrade'` handler (the `noServer` mode of ws).
   * Every way of serving over HTTP goes through it: an upgrade from an origin not in
   * `allowedOrigins` is answered HTTP 403, one past `maxConnections` (or during `close()`)
   * HTTP 503, and one past `maxConnectionsPerAddress` HTTP 429, before any WebSocket exists.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Serves one connection over any transport: `makeTransport` adapts your socket (see
   * `ServerTransport`). Returns `false`, without calling it, when the server refuses the
   * connection (closing, or past `maxConnections` or `maxConnectionsPerAddress`).
   */
  accept(makeTransport: TransportFactory, info: AcceptInfo): boolean;
  /**
   * A WebSocket class whose sockets connect to this server in memory, with no port: for
   * tests of your router over the real protocol. Pass it to `createClient({ WebSocket })`.
   */
  inMemoryWebSocket(): InMemoryWebSocket;
  /** How many connections are open, accepted or not. */
  readonly connectionCount: number;
  /** How many connections, calls and subscriptions the server holds now. */
  readonly stats: ServerStats;
  /**
   * `stats`, with connections by origin and subscriptions by topic. It walks every
   * connection and subscription (so it costs nothing until asked): for an inspector or a
   * metrics scrape, not for every call.
   */
  gauges(): ServerGauges;
  /**
   * Attaches an observer (see `ServerObserver`): from now on it hears of every connection,
   * call, subscription, event and limit hit of this server, beside the others attached
   * (`createServer({ observer })` is the first). Returns the function that detaches it.
   * An observer that throws is reported to `onError` and serving goes on.
   */
  observe(observer: ServerObserver): () => void;
  /**
   * Stops accepting, ends every subscription, closes every socket with 1001, closes the
   * server `listen` made, and resolves once all of it is released. Sockets and
   * subscriptions still busy after `closeTimeoutMs` are terminated and abandoned.
   */
  close(): Promise<void>;
}
