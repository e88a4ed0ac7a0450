import type { Disconnect } from './disconnect.js';

/**
 * The connection dropped (or could not be opened) while a call or subscription was
 * waiting. The server may or may not have run the call. `retriable` is always true:
 * the next call opens a new connection.
 */
export class ConnectionLostError extends Error {
  /** `ConnectionLostError`, or the subclass's name. */
  override readonly name: string = 'ConnectionLostError';
  readonly retriable = true;
  /** The WebSocket close code, such as 1006 (abnormal) or 1001 (server going away). */
  declare readonly closeCode: number;
  declare readonly closeReason: string;

  /** `what` heads the message: `Connection lost (1006: reason)`. */
  constructor(closeCode: number, closeReason: string, what = 'Connection lost') {
    super(`${what} (${closeCode}${closeReason && `: ${closeReason}`})`);
    this.closeCode = closeCode;
    this.closeReason = closeReason;
  }
}

/**
 * With `failFast`: the server could not be reached, so the call or subscription was not
 * kept waiting. One made while the server is unreachable was never sent; one that was
 * waiting when it became unreachable was not sent again (a query sent before the
 * connection dropped may have run, as with {@link ConnectionLostError}, which this
 * extends). `disconnect` says why (`refused`, `timeout`, ...). `retriable` is true.
 */
export class UnreachableError extends ConnectionLostError {
  override readonly name = 'UnreachableError';
  /** Why the server is unreachable: the last failed attempt. */
  declare readonly disconnect: Disconnect;

  constructor(disconnect: Disconnect) {
    // Server unreachable: refused (1006: connect ECONNREFUSED 127.0.0.1:3001)
    super(disconnect.code, disconnect.reason, `Server unreachable: ${disconnect.kind}`);
    this.disconnect = disconnect;
  }
}

/** `$close()` was called: every waiting call and live subscription ends with this error. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  constructor() {
    super('The client was closed');
  }
}

/**
 * A subscription's connection was lost and the server could not replay what was missed
 * (its log no longer holds the position, or the server restarted). Events may be
 * missing: resync the application's state, then subscribe again. Delivered to a
 * subscription that has no `onResumed` callback; one that has gets `{ recovered: false }`.
 */
export class ResyncRequiredError extends Error {
  override readonly name = 'ResyncRequiredError';
  /** The last event id received before the gap. */
  declare readonly lastEventId: string | undefined;

  constructor(lastEventId: string | undefined) {
    super('Resumed without the events missed while disconnected');
    this.lastEventId = lastEventId;
  }
}
