/**
 * Redis could not be reached, or did not answer in time, so an engine operation failed.
 * `cause` is what ioredis reported (connection refused, connection closed, command timed
 * out, ...).
 *
 * For `publish`, `sent` tells the two cases apart: `false` means the command never left
 * this process (no connection within `connectWaitMs`), so the event was not published
 * anywhere and can be retried safely; `true` means the command was written and the
 * connection failed before Redis answered, so the event may or may not have been
 * published (Redis runs a script whole or not at all, but the answer was lost).
 */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  /** Whether the command had been written to Redis before it failed (see the class). */
  readonly sent: boolean;

  constructor(operation: string, sent: boolean, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      sent
        ? `Redis failed during ${operation}; it may or may not have taken effect: ${reason}`
        : `Redis is unavailable, ${operation} was not sent: ${reason}`,
      { cause },
    );
    this.sent = sent;
  }
}

/** The engine was closed: nothing more can be published or subscribed. */
export class EngineClosedError extends Error {
  override readonly name = 'EngineClosedError';

  constructor(operation: string) {
    super(`The Redis engine is closed: ${operation} refused`);
  }
}
