// The first step of a connection that has a context to build: its first frame decides the
// connection params (`rpc.init`, or none), `createContext` runs, and the connection is
// accepted or refused. Frames that arrive meanwhile wait here, bounded, and are served in
// order once it is accepted. `rpc.auth` goes through the same waiting when it rebuilds the
// context.
import { CLOSE_CODES, isRequest, METHODS, PROTOCOL_VERSION, toVolleyError } from '@volley/core';
import { peekBinary } from './binary-admission.js';
import { type Connection, HOLD } from './connection.js';
import { reportInternal } from './error-mapping.js';
import { FrameQueue } from './frame-queue.js';
import { rawIds, scanFrame, TOO_DEEP } from './frame-scan.js';
import { connectionParamsOf } from './protocol-params.js';
import { decodeFrame, isInexact, type WireId, wireId } from './wire.js';

/** Whether a promise, which `createContext` may return. */
function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

export class Handshake {
  readonly #connection: Connection;
  /** No frame yet: the first one decides the connection params. */
  #first: boolean;
  /** The id of the `rpc.init` request to answer once the context is ready. */
  #initId: WireId | undefined;
  /** Frames that arrived before the context was ready. */
  readonly #queue = new FrameQueue();
  /** Closes the connection if it is not accepted in time. */
  #timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(connection: Connection, first: boolean) {
    this.#connection = connection;
    this.#first = first;
  }

  /**
   * A new connection: waits for its first frame, within `connectionInitTimeoutMs` when it
   * has a context to build (a connection without one is accepted already).
   */
  static open(connection: Connection): Handshake {
    const handshake = new Handshake(connection, true);
    const { connectionInitTimeoutMs } = connection.config.limits;
    if (connection.config.createsContext && Number.isFinite(connectionInitTimeoutMs)) {
      handshake.#timer = setTimeout(() => {
        connection.config.observer?.connectionRefused?.(
          'init-timeout',
          connection.observed(),
          CLOSE_CODES.CONNECTION_INIT_TIMEOUT,
        );
        connection.close(CLOSE_CODES.CONNECTION_INIT_TIMEOUT, 'Connection initialisation timeout');
      }, connectionInitTimeoutMs);
    }
    return handshake;
  }

  /**
   * `rpc.auth`: later frames wait while the context is rebuilt. Call `done()` on the
   * returned handshake once the answer is on its way, to serve what waited.
   */
  static reauth(connection: Connection): Handshake {
    const handshake = new Handshake(connection, false);
    connection.handshake = handshake;
    return handshake;
  }

  /** A frame: the first decides the context; the others wait for it. */
  receive(frame: string | Uint8Array): void {
    if (this.#first) {
      this.#first = false;
      this.#open(frame);
      return;
    }
    const { maxQueuedBeforeReady, maxQueuedBytesBeforeReady } = this.#connection.config.limits;
    const queue = this.#queue;
    if (queue.length >= maxQueuedBeforeReady) {
      this.#connection.config.observer?.limitHit?.('maxQueuedBeforeReady', this.#connection.id);
      this.#connection.close(
        CLOSE_CODES.POLICY_VIOLATION,
        'Too many frames before the connection was ready',
      );
      return;
    }
    queue.push(frame);
    // Full: stop reading. What the peer sends now waits in its socket, not in memory.
    if (queue.size >= maxQueuedBytesBeforeReady) {
      this.#connection.config.observer?.limitHit?.(
        'maxQueuedBytesBeforeReady',
        this.#connection.id,
      );
      this.#connection.hold(HOLD.handshake);
    }
  }

  /**
   * The first frame decides the context: `rpc.init` brings connection params (and is
   * answered once the context is ready); anything else means there are none, and waits.
   */
  #open(frame: string | Uint8Array): void {
    const connection = this.#connection;
    let connectionParams: unknown;
    let first: unknown;
    let rawId: (() => string | undefined) | undefined;
    if (connection.codec.binary) {
      // Only a frame within the limits is decoded; any other is served (refused) later.
      const peeked = peekBinary(connection, frame);
      first = peeked?.value;
      rawId = () => peeked?.rawId;
    } else if (
      typeof frame === 'string' &&
      scanFrame(frame, connection.config.limits.maxDepth) !== TOO_DEEP
    ) {
      // A frame too deep is not looked into: it is served (refused) once the context is made.
      first = decodeFrame(frame);
      rawId = () => rawIds(frame)[0];
    }
    if (isRequest(first) && first.method === METHODS.INIT) {
      // {"id":0,"method":"rpc.init","params":{"connectionParams":...}}
      // `null` is an id too (spec, section 4): only a notification goes unanswered.
      this.#initId = wireId(first.id, isInexact(first.id) ? rawId?.() : undefined);
      connectionParams = connectionParamsOf(first.params);
    } else this.#queue.push(frame);
    let made: unknown;
    try {
      made = connection.makeContext(connectionParams, connection);
    } catch (error) {
      this.#refuse(error);
      return;
    }
    if (isPromise(made)) {
      made.then(
        (ctx) => this.#ready(ctx),
        (error: unknown) => this.#refuse(error),
      );
    } else this.#ready(made);
  }

  /** The context is ready: accept, answer `rpc.init`, then serve what waited. */
  #ready(ctx: unknown): void {
    const connection = this.#connection;
    if (connection.isClosed) return;
    clearTimeout(this.#timer);
    connection.accept(ctx);
    // {"id":0,"method":"rpc.init",...} → {"id":0,"result":{"connectionId":"...","protocol":1}}
    if (this.#initId !== undefined) {
      connection.outbound.send(
        connection.codec.result(this.#initId, {
          connectionId: connection.id,
          protocol: PROTOCOL_VERSION,
        }),
      );
    }
    this.done();
  }

  /** `createContext` failed: close with the matching code. */
  #refuse(error: unknown): void {
    const connection = this.#connection;
    const volleyError = toVolleyError(error);
    const observer = connection.config.observer;
    if (volleyError.code === 'UNAUTHORIZED') {
      observer?.connectionRefused?.(
        'unauthorized',
        connection.observed(),
        CLOSE_CODES.UNAUTHORIZED,
      );
      connection.close(CLOSE_CODES.UNAUTHORIZED, volleyError.message);
    } else if (volleyError.code === 'FORBIDDEN') {
      observer?.connectionRefused?.('forbidden', connection.observed(), CLOSE_CODES.FORBIDDEN);
      connection.close(CLOSE_CODES.FORBIDDEN, volleyError.message);
    } else {
      reportInternal(connection, volleyError);
      observer?.connectionRefused?.(
        'context-error',
        connection.observed(),
        CLOSE_CODES.INTERNAL_ERROR,
      );
      connection.close(CLOSE_CODES.INTERNAL_ERROR, 'Internal error');
    }
  }

  /** The context is settled: hand the connection to admission and serve what waited, in order. */
  done(): void {
    const connection = this.#connection;
    if (connection.handshake !== this || connection.isClosed) return;
    connection.handshake = undefined;
    connection.release(HOLD.handshake);
    const queue = this.#queue;
    // A frame served here may start another rpc.auth: the rest then waits for that one.
    while (queue.length > 0 && !connection.isClosed) connection.onMessage(queue.shift());
  }

  /** The socket closed first. */
  closed(): void {
    clearTimeout(this.#timer);
  }
}
