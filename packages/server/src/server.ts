import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
} from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type AnyRouter, CLOSE_CODES, RESERVED_PREFIX } from '@volley/core';
import { nanoid } from 'nanoid';
import { WebSocketServer } from 'ws';
import { Connection, type ConnectionConfig } from './connection.js';
import { originCheck, resolveLimits } from './limits.js';
import {
  type ConnectionInfo,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_MAX_QUEUED_BEFORE_READY,
  type ServerOptions,
} from './options.js';
import { VolleySocket, wsTransport } from './ws-transport.js';

/** Options of {@link VolleyServer.attach}. */
export interface AttachOptions {
  /** Only upgrades to this path are Volley's (query string ignored). Default: every path. */
  path?: string;
}

/** A running Volley server. Serve it with `listen`, `attach` or `handleUpgrade`, or several. */
export interface VolleyServer {
  /**
   * Listens on its own HTTP server. Plain HTTP requests get 426 Upgrade Required.
   * Resolves with the bound address once listening.
   */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /**
   * Serves WebSocket upgrades of an existing `http` or `https` server, so Volley shares
   * its port with normal routes. Returns a function that detaches again.
   */
  attach(server: HttpServer | HttpsServer, options?: AttachOptions): () => void;
  /**
   * Completes an upgrade from your own `'upgrade'` handler (the `noServer` mode of ws).
   * Every way of serving goes through it: an upgrade from an origin not in
   * `allowedOrigins` is answered HTTP 403, and one past `maxConnections` (or during
   * `close()`) HTTP 503, before any WebSocket exists.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** How many connections are open. */
  readonly connectionCount: number;
  /**
   * Stops accepting, ends every subscription, closes every socket with 1001, closes the
   * server `listen` made, and resolves once all of it is released. Sockets and
   * subscriptions still busy after `closeTimeoutMs` are terminated and abandoned.
   */
  close(): Promise<void>;
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/** The context of a server without `createContext`: a fresh empty object per connection. */
function emptyContext(): object {
  return {};
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Resolves when `promise` settles or after `ms`, whichever is first; says which. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serves a Volley router over WebSockets.
 *
 * @throws TypeError when the router is not a router, or `maxPayload` or another limit (see
 * `LimitOptions`) is not a positive integer.
 */
export function createServer<TRouter extends AnyRouter>(
  options: ServerOptions<TRouter>,
): VolleyServer {
  const { router } = options;
  if (router?.kind !== 'router')
    throw new TypeError('createServer: `router` must be a Volley router');
  for (const path of router.procedures.keys()) {
    // router() already refuses an "rpc" key; a hand-made Map could still slip one in.
    if (path.startsWith(RESERVED_PREFIX))
      throw new TypeError(`Procedure "${path}" uses the reserved "rpc." prefix`);
  }
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  if (!Number.isInteger(maxPayload) || maxPayload <= 0) {
    throw new TypeError('createServer: `maxPayload` must be a positive integer (bytes)');
  }
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const createContext = (options as { createContext?: (info: ConnectionInfo) => unknown })
    .createContext;
  const { maxConnections, ...limits } = resolveLimits(options);
  const connections = new Set<Connection>();
  const config: ConnectionConfig = {
    procedures: router.procedures,
    exposeErrors: options.exposeErrors ?? false,
    onError: options.onError,
    maxQueuedBeforeReady: options.maxQueuedBeforeReady ?? DEFAULT_MAX_QUEUED_BEFORE_READY,
    limits,
    onClosed: (connection) => connections.delete(connection),
  };
  const originAllowed = originCheck(options.allowedOrigins);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    clientTracking: false,
    perMessageDeflate: false,
    WebSocket: VolleySocket,
  });
  // Heartbeat: every interval each socket is pinged; one that has not answered the
  // previous ping by then is dead (half-open) and is terminated.
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const heartbeat =
    heartbeatIntervalMs > 0 && Number.isFinite(heartbeatIntervalMs)
      ? setInterval(() => {
          for (const connection of connections) connection.heartbeat();
        }, heartbeatIntervalMs).unref()
      : undefined;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const ownServers: HttpServer[] = [];
  const detachers = new Set<() => void>();
  let closing: Promise<void> | undefined;

  // Its own function, so that the upgrade request is kept only by the closure that needs
  // it (createContext runs again on rpc.auth), and not at all without createContext.
  function contextMaker(
    request: IncomingMessage,
    connectionId: string,
  ): (connectionParams: unknown) => unknown {
    const make = createContext;
    if (make === undefined) return emptyContext;
    return (connectionParams) => make({ request, connectionId, connectionParams });
  }

  function accept(socket: VolleySocket, stream: Duplex, request: IncomingMessage): void {
    const connectionId = nanoid();
    const connection = new Connection(
      connectionId,
      config,
      contextMaker(request, connectionId),
      (events) => wsTransport(socket, stream, events),
    );
    connections.add(connection);
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (closing !== undefined) {
      rejectUpgrade(socket, 503, 'Server is shutting down');
      return;
    }
    // Refused before the WebSocket handshake, which is where a connection starts to cost.
    if (originAllowed !== undefined && !originAllowed(request.headers.origin, request)) {
      rejectUpgrade(socket, 403, 'Forbidden: origin not allowed');
      return;
    }
    if (connections.size >= maxConnections) {
      rejectUpgrade(socket, 503, 'Too many connections');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws as VolleySocket, socket, request));
  }

  function attach(server: HttpServer | HttpsServer, attachOptions: AttachOptions = {}): () => void {
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (attachOptions.path === undefined || pathOf(request) === attachOptions.path) {
        handleUpgrade(request, socket, head);
      } else if (server.listenerCount('upgrade') === 1) {
        // Another handler may own this path; if none is listening, answer rather than hang.
        rejectUpgrade(socket, 404, 'Not Found');
      }
    };
    server.on('upgrade', onUpgrade);
    const detach = () => {
      server.off('upgrade', onUpgrade);
      detachers.delete(detach);
    };
    detachers.add(detach);
    return detach;
  }

  function listen(port = 0, host?: string): Promise<AddressInfo> {
    const server = createHttpServer((_request, response) => {
      response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
      response.end('Upgrade Required: this is a Volley WebSocket endpoint');
    });
    ownServers.push(server);
    attach(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  async function shutdown(): Promise<void> {
    for (const detach of [...detachers]) detach();
    const serversClosed = ownServers.map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    clearInterval(heartbeat);
    // Drain: let running queries and mutations answer, within drainTimeoutMs, and give
    // their responses a turn to reach the sockets, before anything is closed.
    const draining = [...connections];
    await within(
      Promise.all(draining.map((connection) => connection.callsSettled())),
      drainTimeoutMs,
    );
    await new Promise((resolve) => setImmediate(resolve));
    for (const connection of connections) {
      connection.close(CLOSE_CODES.GOING_AWAY, 'Server shutting down');
    }
    const all = [...connections];
    const closed = Promise.all(all.map((connection) => connection.closed));
    if (!(await within(closed, closeTimeoutMs))) {
      for (const connection of all) connection.terminate();
      await closed;
    }
    await within(Promise.all(all.map((connection) => connection.settled())), closeTimeoutMs);
    for (const server of ownServers) server.closeAllConnections();
    await Promise.all(serversClosed);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  return {
    listen,
    attach,
    handleUpgrade,
    get connectionCount() {
      return connections.size;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
