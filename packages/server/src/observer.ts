import type { EngineObserver, ProcedureType } from '@volley/core';

// The observer seam: what a running server tells whoever watches it (metrics, traces, the
// inspector). Every member is optional and every call site is one `undefined` check, so a
// server with no observer pays nothing measurable. Observers must not throw; a throw is
// swallowed (and reported through `onError`) so that serving goes on. The engine's
// members (`publishFailed`, `engineReconnected`) come from the engine: attach the same
// observer to it with `engine.observe?.(observer)`.

/** Why the server turned a connection away, before or after the WebSocket opened. */
export type RefusalReason =
  /** `allowedOrigins` refused the upgrade request's `Origin` (HTTP 403). */
  | 'origin'
  /** `maxConnections` reached, or the server is closing (HTTP 503, or close 1013). */
  | 'max-connections'
  /** `maxConnectionsPerAddress` reached (HTTP 429). */
  | 'max-connections-per-address'
  /** `maxPendingConnections` reached: the oldest connection still waiting was evicted (1013). */
  | 'max-pending-connections'
  /** `maxPendingUpgrades` reached, or the upgrade request took longer than `upgradeTimeoutMs`. */
  | 'upgrade'
  /** `createContext` threw `UNAUTHORIZED` (4401). */
  | 'unauthorized'
  /** `createContext` threw `FORBIDDEN` (4403). */
  | 'forbidden'
  /** `createContext` threw anything else (1011). */
  | 'context-error'
  /** No `rpc.init` (or first call) within `connectionInitTimeoutMs` (4408). */
  | 'init-timeout';

/**
 * The limits whose hits are counted, by option name. Limits on connections themselves
 * (`maxConnections`, `maxPendingUpgrades`...) are reported as refusals instead
 * (`connectionRefused`, see {@link RefusalReason}).
 */
export type LimitName =
  /** A frame over `maxPayload` closed its connection with 1009 (or too much arrived while held). */
  | 'maxPayload'
  /** A message nested deeper than `maxDepth`. */
  | 'maxDepth'
  /** A batch longer than `maxBatchLength`. */
  | 'maxBatchLength'
  /** A message with more than `maxValues` values. */
  | 'maxValues'
  /** A call past `maxInFlight`. */
  | 'maxInFlight'
  /** A subscription past `maxSubscriptions`. */
  | 'maxSubscriptions'
  /** A message over the `rateLimit`. */
  | 'rateLimit'
  /** Too many frames before the connection was accepted (closed with 1008). */
  | 'maxQueuedBeforeReady'
  /** Too many bytes before the connection was accepted: reading it was paused. */
  | 'maxQueuedBytesBeforeReady'
  /** The outbound queue passed `highWaterMark` (also reported as `backpressurePaused`). */
  | 'highWaterMark'
  /** A topic subscriber fell `maxBuffered` events behind (its overflow policy applied). */
  | 'maxBuffered';

/** A connection, as observers see it. */
export interface ObservedConnection {
  /** `ConnectionInfo.connectionId`. */
  connectionId: string;
  /** `ConnectionInfo.clientAddress`: `undefined` when unknown (an in-memory connection). */
  clientAddress: string | undefined;
  /** The upgrade request's `Origin` header, when it had one. */
  origin: string | undefined;
}

/**
 * How a call ended: `ok`, or the JSON-RPC error `code` it was answered with and the
 * `VolleyError` code `name` (such as `BAD_REQUEST`, or `CANCELLED` for a call cancelled
 * by its client).
 */
export type CallOutcome = { ok: true } | { ok: false; code: number; name: string };

/** W3C trace context, as a client sends it with a call (see PROTOCOL.md, "Trace context"). */
export interface TraceContext {
  /** The `traceparent` value, such as `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  traceparent: string;
  /** The `tracestate` value, when the client sent one. */
  tracestate?: string | undefined;
}

/** A query or mutation the server is about to run. */
export interface ObservedCall {
  /** The connection it came on (`ConnectionInfo.connectionId`). */
  connectionId: string;
  /** The procedure's path, such as `chat.send`. */
  path: string;
  /** `query` or `mutation`. */
  type: Exclude<ProcedureType, 'subscription'>;
  /**
   * The W3C trace context the client sent with the call (`traceparent`, and `tracestate`
   * when present), already checked for the header's syntax; `undefined` when it sent none.
   */
  trace: TraceContext | undefined;
}

/**
 * What a server reports. Attach one with `createServer({ observer })` or, at any time,
 * `server.observe(observer)` (which returns a function that detaches it).
 */
export interface ServerObserver extends EngineObserver {
  /** A WebSocket opened (it is not accepted yet: see `connectionAccepted`). */
  connectionOpened?(connection: ObservedConnection): void;
  /** The connection's context was built and it may call procedures. */
  connectionAccepted?(connection: ObservedConnection): void;
  /**
   * A connection was turned away. `connection` is `undefined` when it was refused before a
   * WebSocket existed: `code` is then the HTTP status it was answered with (`0` when the
   * socket was dropped without an answer); otherwise it is the close code, and
   * `connectionClosed` follows.
   */
  connectionRefused?(
    reason: RefusalReason,
    connection: ObservedConnection | undefined,
    code: number,
  ): void;
  /**
   * A connection closed, with the close code the server saw (1006 when the socket went
   * without a closing handshake), and whether it had been accepted.
   */
  connectionClosed?(connection: ObservedConnection, code: number, accepted: boolean): void;
  /**
   * A query or mutation starts. What it returns, if a function, is called once when the
   * call ends, with its outcome and its duration in ms (measured with `performance.now()`).
   * Tracing adapters start a span here and end it in the returned function.
   */
  callStarted?(
    call: ObservedCall,
  ): ((outcome: CallOutcome, durationMs: number) => void) | undefined;
  /**
   * A subscription was acknowledged (`topic` when its stream is a pub/sub topic stream).
   * Every `subscriptionOpened` is followed by one `subscriptionClosed`.
   */
  subscriptionOpened?(connectionId: string, path: string, topic: string | undefined): void;
  /** A subscription that was opened ended, for whatever reason. */
  subscriptionClosed?(connectionId: string, path: string, topic: string | undefined): void;
  /** `count` events were written to a subscriber. */
  eventsDelivered?(connectionId: string, path: string, count: number): void;
  /**
   * `count` events of a pub/sub topic never reached a subscriber that fell `maxBuffered`
   * behind: dropped by its overflow policy `drop`, or the one that did not fit under
   * `error` and `close`.
   */
  eventsDropped?(connectionId: string, path: string, count: number): void;
  /**
   * Bytes of frame payloads read from (`in`) or written to (`out`) sockets, as the
   * transport counts them (both of Volley's do; your own transport may not).
   */
  bytes?(direction: 'in' | 'out', count: number): void;
  /** A connection's outbound queue passed `highWaterMark` and reading from it was paused. */
  backpressurePaused?(connectionId: string): void;
  /** A limit refused something; `connectionId` is `undefined` when the transport saw it. */
  limitHit?(limit: LimitName, connectionId: string | undefined): void;
}
