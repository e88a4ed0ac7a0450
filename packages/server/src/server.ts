import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type AnyRouter, CLOSE_CODES, RESERVED_PREFIX } from '@volley/core';
import { nanoid } from 'nanoid';
import { WebSocketServer } from 'ws';
import { resolveClientCallLimits } from './client-calls-options.js';
import type { ServerCodec } from './codec.js';
import { jsonCodec } from './codec-json.js';
import {
  type AddressSource,
  Connection,
  type ConnectionConfig,
  type ContextMaker,
} from './connection.js';
import { Discovery } from './discovery.js';
import { reportToStderr } from './error-reporter.js';
import { originCheck, resolveLimits } from './limits.js';
import { inMemoryWebSocket } from './memory-websocket.js';
import type { RefusalReason, ServerObserver } from './observer.js';
import { combineObservers } from './observer-set.js';
import {
  type ConnectionInfo,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type ServerOptions,
} from './options.js';
import type { AcceptInfo, AttachOptions, VolleyServer } from './server-types.js';
import type { TransportFactory } from './transport.js';
import { clientAddressOf, createUpgradeServer, pathOf, rejectUpgrade } from './upgrade.js';
import { VolleySocket, wsTransport } from './ws-transport.js';

/** The context of a server without `createContext`: a new empty object per connection. */
function emptyContext(): object {
  return {};
}

/** The first connection in `connections` (oldest first) that has not sent a frame yet. */
function oldestSilent(connections: Set<Connection>): Connection | undefined {
  for (const connection of connections) if (connection.silent) return connection;
  return undefined;
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
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const createContext = (options as { createContext?: (info: ConnectionInfo) => unknown })
    .createContext;
  const { limits, server: serverLimits } = resolveLimits(options);
  const trustProxy = options.trustProxy ?? false;
  /** Accepted connections, and those that wait to be, oldest first. */
  const accepted = new Set<Connection>();
  const pending = new Set<Connection>();
  /** Open connections per client address, for `maxConnectionsPerAddress` (when it is set). */
  const perAddress = new Map<string, number>();
  const countsAddresses = Number.isFinite(serverLimits.maxConnectionsPerAddress);
  const activity = { calls: 0, subscriptions: 0 };
  const onError = options.onError === false ? undefined : (options.onError ?? reportToStderr);
  const observers: ServerObserver[] = options.observer === undefined ? [] : [options.observer];
  const config: ConnectionConfig = {
    activity,
    procedures: router.procedures,
    exposeErrors: options.exposeErrors ?? false,
    onError,
    limits,
    clientCalls: resolveClientCallLimits(options),
    usesClient: [...router.procedures.values()].some((procedure) => procedure.def.usesClient),
    createsContext: createContext !== undefined,
    discovery:
      options.discovery === false ? undefined : new Discovery(router.procedures, options.discovery),
    observer: combineObservers(observers, onError),
    onAccepted(connection) {
      pending.delete(connection);
      if (accepted.size >= serverLimits.maxConnections) {
        config.observer?.connectionRefused?.(
          'max-connections',
          connection.observed(),
          CLOSE_CODES.TRY_AGAIN_LATER,
        );
        connection.close(CLOSE_CODES.TRY_AGAIN_LATER, 'Server is full: try again later');
        return false;
      }
      accepted.add(connection);
      return true;
    },
    onClosed(connection) {
      accepted.delete(connection);
      pending.delete(connection);
      if (!countsAddresses) return;
      const address = connection.clientAddress;
      if (address === undefined) return;
      const count = (perAddress.get(address) ?? 1) - 1;
      if (count === 0) perAddress.delete(address);
      else perAddress.set(address, count);
    },
  };
  const originAllowed = originCheck(options.allowedOrigins);
  /** The codecs by subprotocol; JSON is always there. */
  const codecs = new Map<string, ServerCodec>([[jsonCodec.subprotocol, jsonCodec]]);
  for (const codec of options.codecs ?? []) codecs.set(codec.subprotocol, codec);
  const wss = new WebSocketServer({
    noServer: true,
    // The first subprotocol the client offers that names a codec; else, as ws does by
    // default, the first it offers (JSON is spoken), so clients that ask for a
    // subprotocol of their own are served as before.
    handleProtocols: (offered: Set<string>) => {
      for (const protocol of offered) if (codecs.has(protocol)) return protocol;
      return offered.values().next().value ?? false;
    },
    maxPayload: limits.maxPayload,
    clientTracking: false,
    perMessageDeflate: false,
    WebSocket: VolleySocket,
  });
  // Heartbeat: every interval each accepted socket is pinged; one that has not answered
  // the previous ping by then is dead (half-open) and is terminated.
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const heartbeat =
    heartbeatIntervalMs > 0 && Number.isFinite(heartbeatIntervalMs)
      ? setInterval(() => {
          for (const connection of accepted) connection.transport.heartbeat();
        }, heartbeatIntervalMs).unref()
      : undefined;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const ownServers: HttpServer[] = [];
  const detachers = new Set<() => void>();
  let closing: Promise<void> | undefined;

  // Its own function, so that the upgrade request is kept only by the closure that needs
  // it (createContext runs again on rpc.auth), and not at all without createContext.
  function contextMaker(request: IncomingMessage, connectionId: string): ContextMaker {
    const make = createContext;
    if (make === undefined) return emptyContext;
    return (connectionParams, connection) =>
      make({ request, connectionId, clientAddress: connection.clientAddress, connectionParams });
  }

  /**
   * Why a new connection cannot be taken, as an HTTP status and text, and the reason
   * observers hear; `undefined` if it can.
   */
  function refusal(clientAddress: string | undefined): [number, string, RefusalReason] | undefined {
    if (closing !== undefined) return [503, 'Server is shutting down', 'max-connections'];
    if (accepted.size >= serverLimits.maxConnections) {
      return [503, 'Too many connections', 'max-connections'];
    }
    if (
      clientAddress !== undefined &&
      (perAddress.get(clientAddress) ?? 0) >= serverLimits.maxConnectionsPerAddress
    ) {
      return [429, 'Too many connections from this address', 'max-connections-per-address'];
    }
    return undefined;
  }

  /**
   * `peer` is where to read the address when `info` has none and something asks for it
   * (the socket of a `ws` connection).
   */
  function accept(
    makeTransport: TransportFactory,
    info: AcceptInfo,
    peer?: AddressSource,
  ): boolean {
    const refused = refusal(info.clientAddress);
    if (refused !== undefined) {
      config.observer?.connectionRefused?.(refused[2], undefined, refused[0]);
      return false;
    }
    const { clientAddress } = info;
    if (countsAddresses && clientAddress !== undefined) {
      perAddress.set(clientAddress, (perAddress.get(clientAddress) ?? 0) + 1);
    }
    const connectionId = nanoid();
    const connection = new Connection(
      connectionId,
      config,
      clientAddress ?? peer,
      info.request.headers.origin,
      contextMaker(info.request, connectionId),
      makeTransport,
      codecs.get(info.protocol ?? '') ?? jsonCodec,
    );
    if (connection.accepted || connection.isClosed) return true;
    // Not accepted yet: it waits among its own kind. When they are too many, the oldest
    // that has sent nothing makes room (else the oldest), so idle sockets cannot keep
    // newcomers out, nor push out one whose createContext is running.
    if (pending.size >= serverLimits.maxPendingConnections) {
      const evicted = oldestSilent(pending) ?? (pending.values().next().value as Connection);
      pending.delete(evicted);
      config.observer?.connectionRefused?.(
        'max-pending-connections',
        evicted.observed(),
        CLOSE_CODES.TRY_AGAIN_LATER,
      );
      evicted.close(
        CLOSE_CODES.TRY_AGAIN_LATER,
        'Too many connections waiting to be accepted: try again later',
      );
    }
    pending.add(connection);
    return true;
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Refused before the WebSocket handshake, which is where a connection starts to cost.
    if (originAllowed !== undefined && !originAllowed(request.headers.origin, request)) {
      config.observer?.connectionRefused?.('origin', undefined, 403);
      rejectUpgrade(socket, 403, 'Forbidden: origin not allowed');
      return;
    }
    // Read now only when it decides something now; else when first asked (see AddressSource).
    const clientAddress =
      countsAddresses || trustProxy !== false ? clientAddressOf(request, trustProxy) : undefined;
    const refused = refusal(clientAddress);
    if (refused !== undefined) {
      config.observer?.connectionRefused?.(refused[2], undefined, refused[0]);
      rejectUpgrade(socket, refused[0], refused[1]);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      accept(
        wsTransport(ws as VolleySocket, socket),
        { request, clientAddress, protocol: ws.protocol },
        request.socket,
      );
    });
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
    const server = createUpgradeServer(serverLimits, () =>
      config.observer?.connectionRefused?.('upgrade', undefined, 0),
    );
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
    const all = [...accepted, ...pending];
    await within(
      Promise.all(all.map((connection) => connection.callTable?.callsSettled())),
      drainTimeoutMs,
    );
    await new Promise((resolve) => setImmediate(resolve));
    for (const connection of all) connection.close(CLOSE_CODES.GOING_AWAY, 'Server shutting down');
    const closed = Promise.all(all.map((connection) => connection.closed));
    if (!(await within(closed, closeTimeoutMs))) {
      for (const connection of all) connection.terminate();
      await closed;
    }
    await within(
      Promise.all(all.map((connection) => connection.callTable?.subscriptionsSettled())),
      closeTimeoutMs,
    );
    for (const server of ownServers) server.closeAllConnections();
    await Promise.all(serversClosed);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  return {
    listen,
    attach,
    handleUpgrade,
    accept,
    inMemoryWebSocket: () => inMemoryWebSocket(accept, limits.maxPayload),
    get connectionCount() {
      return accepted.size + pending.size;
    },
    get stats() {
      return { accepted: accepted.size, pending: pending.size, ...activity };
    },
    gauges() {
      const connectionsByOrigin = new Map<string, number>();
      const subscriptionsByTopic = new Map<string, number>();
      for (const set of [accepted, pending]) {
        for (const connection of set) {
          const origin = connection.origin ?? '';
          connectionsByOrigin.set(origin, (connectionsByOrigin.get(origin) ?? 0) + 1);
          connection.callTable?.countTopics(subscriptionsByTopic);
        }
      }
      return {
        accepted: accepted.size,
        pending: pending.size,
        ...activity,
        connectionsByOrigin,
        subscriptionsByTopic,
      };
    },
    observe(observer) {
      observers.push(observer);
      config.observer = combineObservers(observers, onError);
      let attached = true;
      return () => {
        if (!attached) return;
        attached = false;
        observers.splice(observers.indexOf(observer), 1);
        config.observer = combineObservers(observers, onError);
      };
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
