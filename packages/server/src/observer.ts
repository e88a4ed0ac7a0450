import type { ProcedureType } from '@volley/core';

// The observer seam: what a running server tells whoever watches it (metrics, traces, the
// inspector). Every member is optional and every call site is one `undefined` check, so a
// server with no observer pays nothing measurable. Observers must not throw; a throw is
// swallowed (and reported through `onError`) so that serving goes on.

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

/** The limits whose hits are counted, by option name. */
export type LimitName =
  | 'maxPayload'
  | 'maxDepth'
  | 'maxBatchLength'
  | 'maxValues'
  | 'maxInFlight'
  | 'maxSubscriptions'
  | 'rateLimit'
  | 'maxQueuedBeforeReady'
  | 'maxQueuedBytesBeforeReady'
  | 'highWaterMark';

/** A connection, as observers see it. */
export interface ObservedConnection {
  /** `ConnectionInfo.connectionId`. */
  connectionId: string;
  /** `ConnectionInfo.clientAddress`: `undefined` when unknown (an in-memory connection). */
  clientAddress: string | undefined;
  /** The upgrade request's `Origin` header, when it had one. */
  origin: string | undefined;
}

/** How a call ended. `error` carries the JSON-RPC error code it was answered with. */
export type CallOutcome =
  | { ok: true }
  | {
      ok: false;
      code: number /** The `VolleyError` code name, such as `BAD_REQUEST`. */;
      name: string;
    };

/** A query or mutation the server is about to run. */
export interface ObservedCall {
  connectionId: string;
  path: string;
  type: Exclude<ProcedureType, 'subscription'>;
  /**
   * The W3C trace context the client sent with the call (`traceparent`, and `tracestate`
   * when present), already checked for the header's syntax; `undefined` when it sent none.
   */
  trace: { traceparent: string; tracestate?: string | undefined } | undefined;
}

/**
 * What a server reports. Attach one with `createServer({ observer })` or, at any time,
 * `server.observe(observer)` (which returns a function that detaches it).
 */
export interface ServerObserver {
  /** A WebSocket opened (it is not accepted yet: see `connectionAccepted`). */
  connectionOpened?(connection: ObservedConnection): void;
  /** The connection's context was built and it may call procedures. */
  connectionAccepted?(connection: ObservedConnection): void;
  /**
   * A connection was turned away. `connection` is `undefined` when it was refused before a
   * WebSocket existed (the HTTP status is then in `status`).
   */
  connectionRefused?(
    reason: RefusalReason,
    connection: ObservedConnection | undefined,
    status: number,
  ): void;
  /** A connection closed, with the close code the server saw. */
  connectionClosed?(connection: ObservedConnection, code: number, accepted: boolean): void;
  /**
   * A query or mutation starts. What it returns, if a function, is called once when the
   * call ends, with its outcome and its duration in ms (measured with `performance.now()`).
   * Tracing adapters start a span here and end it in the returned function.
   */
  callStarted?(
    call: ObservedCall,
  ): ((outcome: CallOutcome, durationMs: number) => void) | undefined;
  /** A subscription was acknowledged (`topic` when its stream is a pub/sub topic stream). */
  subscriptionOpened?(connectionId: string, path: string, topic: string | undefined): void;
  /** A subscription ended, for whatever reason. */
  subscriptionClosed?(connectionId: string, path: string, topic: string | undefined): void;
  /** `count` events were written to a subscriber (batched per write where that is cheaper). */
  eventsDelivered?(connectionId: string, path: string, count: number): void;
  /** `count` events were dropped for a slow subscriber (overflow `drop`) or it was closed. */
  eventsDropped?(connectionId: string, path: string, count: number): void;
  /** Bytes read from (`in`) or written to (`out`) a connection's socket, frame payloads only. */
  bytes?(direction: 'in' | 'out', count: number): void;
  /** A connection's outbound queue passed `highWaterMark` and reading from it was paused. */
  backpressurePaused?(connectionId: string): void;
  /** A limit refused something. */
  limitHit?(limit: LimitName, connectionId: string | undefined): void;
  /** A pub/sub engine's publish failed (e.g. `@volley/redis` while Redis is down). */
  publishFailed?(topic: string, error: unknown): void;
  /** A pub/sub engine lost and regained its backing service. */
  engineReconnected?(engine: string): void;
}
