import type { Redis, RedisOptions } from 'ioredis';

/** Where the engine connects when given no `redis` option: a Redis on this machine. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * What every key and channel of the engine starts with: `volley:`. Give each application
 * sharing a Redis its own prefix.
 */
export const DEFAULT_KEY_PREFIX = 'volley:';

/**
 * How many recent events each topic's log in Redis keeps for resuming: about 1,000 (the
 * stream is trimmed with `MAXLEN ~`, so Redis may keep up to about a hundred more). The
 * same default as the in-memory engine's. A position older than the log is "not recovered".
 */
export const DEFAULT_LOG_SIZE = 1_000;

/**
 * How long an operation waits for a connection to Redis before it fails with
 * `RedisUnavailableError` (`sent: false`): 1,000 ms. It covers the first connection and a
 * short reconnect; while Redis stays down, `publish` rejects after this long, and the
 * command is dropped, never sent later. A listener whose catch-up read failed also waits
 * this long (at least 100 ms) before it reads again.
 */
export const DEFAULT_CONNECT_WAIT_MS = 1_000;

/**
 * How long a command sent to Redis may wait for its answer: 5,000 ms (ioredis'
 * `commandTimeout`). Past it the operation fails with `RedisUnavailableError`
 * (`sent: true`). It bounds a Redis that hangs without closing the connection.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

/**
 * How long a node's presence entries outlive it: 15,000 ms. Each node renews its lease on
 * every topic where it has entries every third of this; when a node dies without closing
 * its engine (SIGKILL, a lost machine), the other nodes remove its entries and tell the
 * topic's watchers that its members left after at most this long plus a third. A node cut
 * off from Redis for longer has its entries removed too, and enters them again when it is
 * back (its members leave and join again).
 */
export const DEFAULT_PRESENCE_LEASE_MS = 15_000;

/** Options of `createRedisEngine`. */
export interface RedisEngineOptions {
  /**
   * The Redis to use: a `redis://` URL, ioredis options, or an ioredis instance. The
   * engine always makes two connections of its own (one for commands, one for pub/sub;
   * from an instance, with `duplicate()`), so it never changes or closes yours. Default
   * {@link DEFAULT_REDIS_URL}. The engine sets `enableOfflineQueue: false`,
   * `maxRetriesPerRequest: 0`, `autoResubscribe: false` and
   * `autoResendUnfulfilledCommands: false` on its connections whatever is given: commands
   * must never be queued or resent behind its back (a resent publish would be published
   * twice).
   */
  redis?: string | RedisOptions | Redis | undefined;
  /** See {@link DEFAULT_KEY_PREFIX}. */
  keyPrefix?: string | undefined;
  /** See {@link DEFAULT_LOG_SIZE}. `0` keeps no log: every resume is "not recovered". */
  logSize?: number | undefined;
  /** See {@link DEFAULT_CONNECT_WAIT_MS}. */
  connectWaitMs?: number | undefined;
  /** See {@link DEFAULT_COMMAND_TIMEOUT_MS}. */
  commandTimeoutMs?: number | undefined;
  /** See {@link DEFAULT_PRESENCE_LEASE_MS}. Must be positive. */
  presenceLeaseMs?: number | undefined;
  /**
   * Hears what goes wrong in the background, where no caller can be told: a lost
   * connection (once per outage), a catch-up read that failed (it is retried), a message
   * on a topic's channel that the engine did not write. Default `reportToStderr`; `false`
   * reports nothing. Must not throw.
   */
  onError?: ((error: Error) => void) | false | undefined;
}

/** The options with their defaults filled in and checked. */
export interface ResolvedOptions {
  keyPrefix: string;
  logSize: number;
  connectWaitMs: number;
  commandTimeoutMs: number;
  presenceLeaseMs: number;
  onError: (error: Error) => void;
}

const nonNegativeInteger = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`createRedisEngine: \`${name}\` must be a non-negative integer`);
  }
  return value;
};

/**
 * The engine's default `onError`: one line on stderr per error, prefixed `[volley/redis]`.
 */
export function reportToStderr(error: Error): void {
  process.stderr.write(`[volley/redis] ${error.message}\n`);
}

/**
 * Fills in the defaults.
 *
 * @throws TypeError when a number is not a non-negative integer (`commandTimeoutMs` and
 * `presenceLeaseMs` must be positive).
 */
export function resolveOptions(options: RedisEngineOptions): ResolvedOptions {
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (nonNegativeInteger('commandTimeoutMs', commandTimeoutMs) === 0) {
    throw new TypeError('createRedisEngine: `commandTimeoutMs` must be positive');
  }
  const presenceLeaseMs = options.presenceLeaseMs ?? DEFAULT_PRESENCE_LEASE_MS;
  if (nonNegativeInteger('presenceLeaseMs', presenceLeaseMs) === 0) {
    throw new TypeError('createRedisEngine: `presenceLeaseMs` must be positive');
  }
  const onError = options.onError ?? reportToStderr;
  return {
    keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
    logSize: nonNegativeInteger('logSize', options.logSize ?? DEFAULT_LOG_SIZE),
    connectWaitMs: nonNegativeInteger(
      'connectWaitMs',
      options.connectWaitMs ?? DEFAULT_CONNECT_WAIT_MS,
    ),
    commandTimeoutMs,
    presenceLeaseMs,
    onError: onError === false ? () => {} : onError,
  };
}
