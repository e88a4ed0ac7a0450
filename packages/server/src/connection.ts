import type { AnyProcedure } from '@volley/core';
import { Admission } from './admission.js';
import { type Activity, CallTable } from './call-table.js';
import type { ServerCodec } from './codec.js';
import type { Discovery } from './discovery.js';
import { Handshake } from './handshake.js';
import type { Limits } from './limits.js';
import type { ErrorInfo } from './options.js';
import { type CongestionListener, Outbound } from './outbound.js';
import { closeReason } from './replies.js';
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
  /** Answers `rpc.discover`; `undefined` when the server turned discovery off. */
  discovery: Discovery | undefined;
  /** Told when a connection is accepted (its context is ready). */
  onAccepted(connection: Connection): void;
  /** Told once when a connection's socket has closed. */
  onClosed(connection: Connection): void;
}

/** Why reading a socket is paused; reading resumes when no reason is left. */
export const HOLD = { handshake: 1, congestion: 2 } as const;

/**
 * One client connection: the state a connection's steps share, and the start of the
 * chain every frame takes. A frame goes from the transport to the handshake (until the
 * connection is accepted), then to admission (limits), dispatch, the call or
 * subscription step, and out through `outbound`. Nothing a client sends can throw out of
 * here.
 */
export class Connection implements TransportEvents, CongestionListener {
  readonly id: string;
  readonly config: ConnectionConfig;
  /** The client's address, when known (for limits and `onError`). */
  readonly clientAddress: string | undefined;
  readonly transport: ServerTransport;
  /** How this connection's frames are encoded: JSON, or the codec its subprotocol chose. */
  readonly codec: ServerCodec;
  readonly outbound: Outbound;
  readonly admission: Admission;
  /** Running calls and subscriptions. */
  readonly calls: CallTable;
  /** What procedures see as `ctx`; built by the handshake. */
  ctx: unknown;
  /** Until the connection is accepted (and while `rpc.auth` rebuilds its context). */
  handshake: Handshake | undefined;
  /** Builds the context from connection params; may return a promise, may throw to refuse. */
  readonly makeContext: (connectionParams: unknown) => unknown;
  #accepted = false;
  #closed = false;
  #silent = true;
  /** `HOLD` bits: why the socket is not being read. */
  #holds = 0;
  /** Made only when someone waits for the close (a server shutting down). */
  #closedPromise: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  constructor(
    id: string,
    config: ConnectionConfig,
    clientAddress: string | undefined,
    makeContext: (connectionParams: unknown) => unknown,
    makeTransport: TransportFactory,
    codec: ServerCodec,
  ) {
    this.id = id;
    this.codec = codec;
    this.config = config;
    this.clientAddress = clientAddress;
    this.makeContext = makeContext;
    this.calls = new CallTable(config.activity);
    this.transport = makeTransport(this);
    this.outbound = new Outbound(this.transport, config.limits.highWaterMark, this);
    this.admission = new Admission(this);
    // The first frame always goes to the handshake (it may be rpc.init); a server without
    // createContext accepts the connection now, so it is never held to the init timeout.
    this.handshake = Handshake.open(this);
    if (!config.createsContext) this.accept({});
  }

  /** Whether the connection has been accepted. */
  get accepted(): boolean {
    return this.#accepted;
  }

  /** Whether no frame has arrived yet. */
  get silent(): boolean {
    return this.#silent;
  }

  /** Whether the socket has closed. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** The context is ready: the connection counts as accepted. */
  accept(ctx: unknown): void {
    this.ctx = ctx;
    if (this.#accepted) return;
    this.#accepted = true;
    this.config.onAccepted(this);
  }

  /** A frame from the transport: text, or the bytes of a binary one. */
  onMessage(frame: string | Uint8Array): void {
    if (this.#closed) return;
    this.#silent = false;
    if (this.handshake !== undefined) this.handshake.receive(frame);
    else this.admission.receive(frame);
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
  }

  /** The peer caught up: read again, and serve what was held meanwhile. */
  drained(): void {
    this.release(HOLD.congestion);
    this.admission.serveHeld();
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
    if (this.#closedPromise === undefined) {
      this.#closedPromise = this.#closed
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.#resolveClosed = resolve;
          });
    }
    return this.#closedPromise;
  }

  /** The transport's socket has closed. */
  onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.handshake?.closed();
    this.handshake = undefined;
    this.outbound.closed();
    this.calls.stopAll();
    this.#resolveClosed?.();
    this.config.onClosed(this);
  }
}
