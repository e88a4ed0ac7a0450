import type { Disconnect } from './disconnect.js';

/**
 * The connection dropped (or could not be opened) while a call or subscription was
 * waiting: a mutation was in flight when it dropped, the client gave up reconnecting
 * (`retry.maxAttempts`), or, with `failFast`, the server is unreachable. The server may
 * or may not have run a call that went out before the drop; a call made while the server
 * was unreachable never went out. `disconnect` says why, and `retriable` is always true:
 * the next call opens a new connection.
 */
export class ConnectionLostError extends Error {
  /** Always `'ConnectionLostError'`. */
  override readonly name = 'ConnectionLostError';
  /** Always true: calling again opens (or waits for) a new connection. */
  readonly retriable = true;
  /** The WebSocket close code, such as 1006 (abnormal) or 1001 (server going away). */
  declare readonly closeCode: number;
  /** The close frame's reason text; often empty. */
  declare readonly closeReason: string;
  /**
   * Why: the drop or failed attempt, as `$lastDisconnect` gives it (`refused`, `closed`,
   * `timeout`, ...). Always set on the errors the client makes.
   */
  declare readonly disconnect: Disconnect | undefined;

  /** The message reads `Connection lost: refused (1006: reason)`, with the kind when a `disconnect` is given. */
  constructor(closeCode: number, closeReason: string, disconnect?: Disconnect) {
    super(
      `Connection lost${disconnect ? `: ${disconnect.kind}` : ''} (${closeCode}${closeReason && `: ${closeReason}`})`,
    );
    this.closeCode = closeCode;
    this.closeReason = closeReason;
    this.disconnect = disconnect;
  }
}

/** `$close()` was called: every waiting call and live subscription ends with this error. */
export class ClientClosedError extends Error {
  /** Always `'ClientClosedError'`. */
  override readonly name = 'ClientClosedError';
  constructor() {
    super('Client closed');
  }
}

/**
 * A subscription's connection was lost and the server could not replay what was missed
 * (its log no longer holds the position, or the server restarted). Events may be
 * missing: resync the application's state, then subscribe again. Delivered to a
 * subscription that has no `onResumed` callback; one that has gets `{ recovered: false }`.
 */
export class ResyncRequiredError extends Error {
  /** Always `'ResyncRequiredError'`. */
  override readonly name = 'ResyncRequiredError';
  /** The last event id received before the gap. */
  declare readonly lastEventId: string | undefined;

  constructor(lastEventId: string | undefined) {
    super('Events were missed');
    this.lastEventId = lastEventId;
  }
}
