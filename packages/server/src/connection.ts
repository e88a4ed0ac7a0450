import type { AnyProcedure } from '@volley/core';
import { admit, bucketFor, serveHeld } from './admission.js';
import { type Activity, CallTable, type TableOwner } from './call-table.js';
import { ClientCalls } from './client-calls.js';
import type { ClientCallLimits } from './client-calls-options.js';
import type { ClientResponse } from './client-calls-wire.js';
import { contextWithClient, createClientHandle } from './client-handle.js';
import type { ServerCodec } from './codec.js';
import type { Discovery } from './discovery.js';
import type { FrameQueue } from './frame-queue.js';
import { Handshake } from './handshake.js';
import type { Limits } from './limits.js';
import type { ObservedConnection, ServerObserver } from './observer.js';
import type { ErrorInfo } from './options.js';
import { Outbound, type OutboundOwner } from './outbound.js';
import { closeReason } from './replies.js';
import type { TokenBucket } from './token-bucket.js';
import type { ServerTransport, TransportEvents, TransportFactory } from './transport.js';

/** What every connection of one server shares. */
export interface ConnectionConfig {
  procedures: ReadonlyMap<string, AnyProcedure>;
  exposeErrors: boolean;
  onError: ((info: ErrorInfo) => void) | undefined;
  limits: Limits;
  /** The server's running calls and subscriptions, counted across connections. */
  activity: Activity;
  /**
   * Whether the server builds a context per connection (`createContext`): a connection
   * is then accepted once it is built; otherwise at once, when it opens.
   */
  createsContext: boolean;
  /** The limits of server-to-client calls. */
  clientCalls: ClientCallLimits;
  /**
   * Whether procedures see `ctx.client` (the router has some built with `withClient()`):
   * the context is then a copy of the one made, with the connection's client handle.
   */
  usesClient: boolean;
  /** Answers `rpc.discover`; `undefined` when the server turned discovery off. */
  discovery: Discovery | undefined;
  /**
   * The server's observers as one (see `observer-set.ts`), or `undefined` when none is
   * attached: every step that reports reads it here, so attaching one later reaches
   * every connection.
   */
  observer: ServerObserver | undefined;
  /**
   * Told when a connection is accepted (its context is ready). Returns `false` when the
   * server turns it away after all (it is full): the connection is then closing.
   */
  onAccepted(connection: Connection): boolean;
  /** Told once when a connection's socket has closed. */
  onClosed(connection: Connection): void;
}

/**
 * Where a connection's address is read when first asked: the socket. Node keeps the
 * peer's name on a socket once it is read (an object and two strings), so a server that
 * needs no address (no per-address cap, no trusted proxy) reads it only for
 * `createContext`, `onError` or an observer.
 */
export interface AddressSource {
  readonly remoteAddress?: string | undefined;
}

/**
 * Builds a connection's context from its connection params (and its address, read only
 * if the server has a `createContext`); may return a promise, may throw to refuse.
 */
export type ContextMaker = (
  connectionParams: unknown,
  connection: { readonly clientAddress: string | undefined },
) => unknown;

/**
 * A connection's state bits: `accepted` (its context is ready), `counted` (the server took
 * it when it was accepted, rather than turn it away), `closed` (its socket closed), and
 * `silent` (no frame has arrived yet).
 */
const STATE = { accepted: 1, counted: 2, closed: 4, silent: 8 } as const;

/** Why reading a socket is paused; reading resumes when no reason is left. */
export const HOLD = { handshake: 1, congestion: 2 } as const;

/**
 * One client connection: the state a connection's steps share, and the start of the
 * chain every frame takes. A frame goes from the transport to the handshake (until the
 * connection is accepted), then to admission (limits), dispatch, the call or
 * subscription step, and out through `outbound`. Nothing a client sends can throw out of
 * here.
 */
export class Connection implements TransportEvents, OutboundOwner, TableOwner {
  readonly id: string;
  readonly config: ConnectionConfig;
  /** The upgrade request's `Origin` header, when it had one (for observers). */
  readonly origin: string | undefined;
  readonly transport: ServerTransport;
  /** How this connection's frames are encoded: JSON, or the codec its subprotocol chose. */
  readonly codec: ServerCodec;
  readonly outbound: Outbound;
  /** The rate limit's bucket (`admission.ts`); `undefined` when there is none. */
  readonly bucket: TokenBucket | undefined;
  /**
   * Frames read while the peer was behind, not yet processed (`admission.ts`): they wait,
   * and the socket is not read, until it catches up. Made on first use.
   */
  held: FrameQueue | undefined;
  /** Running calls and subscriptions: see `calls`. */
  #calls: CallTable | undefined;
  /** What procedures see as `ctx`; built by the handshake (see `accept`). */
  ctx: unknown;
  /** Until the connection is accepted (and while `rpc.auth` rebuilds its context). */
  handshake: Handshake | undefined;
  /** Builds the context from connection params; may return a promise, may throw to refuse. */
  readonly makeContext: ContextMaker;
  /** The client's address, or the socket to read it from when first asked. */
  #address: string | AddressSource | undefined;
  /**
   * `STATE` bits: accepted, counted, closed, silent. One field rather than four: every
   * idle connection pays for each field it has.
   */
  #state = STATE.silent;
  /** The server's calls to this client (and `ctx.client`); made at the first. */
  #clientCalls: ClientCalls | undefined;
  /** `HOLD` bits: why the socket is not being read. */
  #holds = 0;
  /** Made only when someone waits for the close (a server shutting down). */
  #closedWaiter: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    id: string,
    config: ConnectionConfig,
    address: string | AddressSource | undefined,
    origin: string | undefined,
    makeContext: ContextMaker,
    makeTransport: TransportFactory,
    codec: ServerCodec,
  ) {
    this.id = id;
    this.codec = codec;
    this.config = config;
    this.#address = address;
    this.origin = origin;
    this.makeContext = makeContext;
    this.transport = makeTransport(this);
    this.outbound = new Outbound(this);
    this.bucket = bucketFor(this);
    config.observer?.connectionOpened?.(this.observed());
    // The first frame always goes to the handshake (it may be rpc.init); a server without
    // createContext accepts the connection now, so it is never held to the init timeout.
    this.handshake = Handshake.open(this);
    if (!config.createsContext) this.accept({});
  }

  /**
   * The client's address, when known (for `createContext`, limits and `onError`). Read
   * from the socket on first ask; `undefined` if the socket has closed before that.
   */
  get clientAddress(): string | undefined {
    const address = this.#address;
    if (typeof address !== 'object') return address;
    this.#address = address.remoteAddress;
    return this.#address;
  }

  /** The server's observer, if any: transports report bytes to it (see `TransportEvents`). */
  get observer(): ServerObserver | undefined {
    return this.config.observer;
  }

  /** The connection as observers see it (made at each ask: connection events are rare). */
  observed(): ObservedConnection {
    return { connectionId: this.id, clientAddress: this.clientAddress, origin: this.origin };
  }

  /**
   * Running calls and subscriptions. The table is made when something starts and dropped
   * when nothing runs (most connections are idle most of the time): read `callTable` to
   * look without making one.
   */
  get calls(): CallTable {
    this.#calls ??= new CallTable(this.config.activity, this);
    return this.#calls;
  }

  /** The table of running calls and subscriptions, if anything runs. */
  get callTable(): CallTable | undefined {
    return this.#calls;
  }

  /** The call table has nothing running: drop it until something starts. */
  tableEmptied(table: CallTable): void {
    if (this.#calls === table) this.#calls = undefined;
  }

  /** See `OutboundOwner`: the server's `highWaterMark`. */
  get highWaterMark(): number {
    return this.config.limits.highWaterMark;
  }

  /** Whether the connection has been accepted. */
  get accepted(): boolean {
    return (this.#state & STATE.accepted) !== 0;
  }

  /** Whether no frame has arrived yet. */
  get silent(): boolean {
    return (this.#state & STATE.silent) !== 0;
  }

  /** Whether the socket has closed. */
  get isClosed(): boolean {
    return (this.#state & STATE.closed) !== 0;
  }

  /** The server's calls to this client, waiting for its answers (the table is made here). */
  get clientCalls(): ClientCalls {
    this.#clientCalls ??= new ClientCalls(this, this.config.clientCalls);
    return this.#clientCalls;
  }

  /**
   * A response from the client to one of the server's calls: `{"id":"s1","result":...}`.
   * Ignored when the server made none.
   */
  respond(response: ClientResponse): void {
    this.#clientCalls?.receive(response);
  }

  /**
   * The context is ready (built at first, or rebuilt by `rpc.auth`): the connection
   * counts as accepted. Procedures see it with `client` added when the router uses it.
   */
  accept(ctx: unknown): void {
    if (this.config.usesClient) {
      const calls = this.clientCalls;
      calls.handle ??= createClientHandle(calls);
      this.ctx = contextWithClient(ctx, calls.handle);
    } else this.ctx = ctx;
    if (this.#state & STATE.accepted) return;
    this.#state |= STATE.accepted;
    if (this.config.onAccepted(this)) {
      this.#state |= STATE.counted;
      this.config.observer?.connectionAccepted?.(this.observed());
    }
  }

  /** A frame from the transport: text, or the bytes of a binary one. */
  onMessage(frame: string | Uint8Array): void {
    if (this.#state & STATE.closed) return;
    this.#state &= ~STATE.silent;
    if (this.handshake !== undefined) this.handshake.receive(frame);
    else admit(this, frame);
  }

  /** Stops reading the socket for `reason` (a `HOLD` bit) until `release(reason)`. */
  hold(reason: number): void {
    if (this.#holds === 0) this.transport.pause();
    this.#holds |= reason;
  }

  /** Takes back a `hold`: the socket is read again once no reason is left. */
  release(reason: number): void {
    if ((this.#holds & reason) === 0) return;
    this.#holds &= ~reason;
    if (this.#holds === 0) this.transport.resume();
  }

  /** The peer fell behind: stop reading it until it catches up. */
  congested(): void {
    this.hold(HOLD.congestion);
    const observer = this.config.observer;
    if (observer !== undefined) {
      observer.limitHit?.('highWaterMark', this.id);
      observer.backpressurePaused?.(this.id);
    }
  }

  /** The peer caught up: read again, and serve what was held meanwhile. */
  drained(): void {
    this.release(HOLD.congestion);
    serveHeld(this);
  }

  /** Starts the closing handshake. */
  close(code: number, reason: string): void {
    // A paused socket could not read the peer's half of the closing handshake.
    this.#holds = 0;
    this.transport.resume();
    this.transport.close(code, closeReason(reason));
  }

  /** Drops the socket without a handshake. */
  terminate(): void {
    this.transport.terminate();
  }

  /** Resolves when the socket has closed. */
  get closed(): Promise<void> {
    if (this.#state & STATE.closed) return Promise.resolve();
    if (this.#closedWaiter === undefined) {
      let resolve = () => {};
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.#closedWaiter = { promise, resolve };
    }
    return this.#closedWaiter.promise;
  }

  /** The transport's socket has closed, with `code` (1006 when the transport does not say). */
  onClose(code = 1006): void {
    if (this.#state & STATE.closed) return;
    this.#state |= STATE.closed;
    this.handshake?.closed();
    this.handshake = undefined;
    this.outbound.closed();
    this.#calls?.stopAll();
    this.#clientCalls?.closed();
    this.#closedWaiter?.resolve();
    this.config.onClosed(this);
    this.config.observer?.connectionClosed?.(
      this.observed(),
      code,
      (this.#state & STATE.counted) !== 0,
    );
  }
}
