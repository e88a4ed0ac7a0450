// @volley/redis: a Redis engine for Volley's pub/sub. Topic events reach every server
// process through Redis pub/sub, and a Redis stream per topic is the log that clients
// resume from, on whichever node they reconnect to.

export { createRedisEngine, type RedisEngine } from './engine.js';
export { EngineClosedError, RedisUnavailableError } from './errors.js';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_WAIT_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOG_SIZE,
  DEFAULT_PRESENCE_LEASE_MS,
  DEFAULT_REDIS_URL,
  type RedisEngineOptions,
  reportToStderr,
} from './options.js';
