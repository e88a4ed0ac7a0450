// The engine's two connections to Redis and the rules every command follows: wait a bounded
// time for a connection, never queue a command inside ioredis (a queued publish could run
// after its caller was told it failed), never resend one.
import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from './errors.js';
import { DEFAULT_REDIS_URL, type RedisEngineOptions, type ResolvedOptions } from './options.js';

/** Makes one connection of the engine's, from whatever the user gave. */
export function connect(given: RedisEngineOptions['redis'], options: ResolvedOptions): Redis {
  const ours: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs,
  };
  if (given instanceof Redis) return given.duplicate(ours);
  if (typeof given === 'object') return new Redis({ ...given, ...ours });
  return new Redis(given ?? DEFAULT_REDIS_URL, ours);
}

/**
 * Resolves once `redis` is ready for commands: at once if it is, else when it becomes so.
 *
 * @throws RedisUnavailableError (`sent: false`) after `waitMs`, or when the connection ends.
 */
export function whenReady(
  redis: Redis,
  operation: string,
  waitMs: number,
  lastError: () => Error | undefined,
): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const fail = (cause: Error) => {
      done();
      reject(new RedisUnavailableError(operation, false, cause));
    };
    const onReady = () => {
      done();
      resolve();
    };
    const onEnd = () => fail(new Error('the connection was closed'));
    const timer = setTimeout(
      () => fail(lastError() ?? new Error(`no connection to Redis within ${waitMs} ms`)),
      waitMs,
    );
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('end', onEnd);
    };
    if (redis.status === 'end') {
      onEnd();
      return;
    }
    redis.on('ready', onReady);
    redis.on('end', onEnd);
  });
}

/**
 * What a failed command means: a Redis reply error (a script or type error) is passed on
 * as it is; anything else is the connection's fault, and the command was sent unless
 * ioredis refused to write it.
 */
export function asUnavailable(operation: string, error: unknown): unknown {
  if (error instanceof Error && error.name === 'ReplyError') return error;
  const refused = error instanceof Error && error.message.includes('enableOfflineQueue');
  return new RedisUnavailableError(operation, !refused, error);
}

/** Closes a connection: QUIT when it is up, else just stops it reconnecting. */
export async function disconnect(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // Fall through: the connection went away meanwhile.
    }
  }
  redis.disconnect();
}
