// @volley/server: serves a Volley router over WebSockets with ws.

export {
  DEFAULT_CONNECTION_INIT_TIMEOUT_MS,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BATCH_LENGTH,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_SUBSCRIPTIONS,
  DEFAULT_RATE_LIMIT,
  type LimitOptions,
  type OriginCheck,
  type RateLimit,
} from './limits.js';
export {
  type ConnectionInfo,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_MAX_QUEUED_BEFORE_READY,
  type ErrorInfo,
  type ServerOptions,
} from './options.js';
export {
  createMemoryEngine,
  createPubSub,
  DEFAULT_LOG_SIZE,
  DEFAULT_MAX_BUFFERED_EVENTS,
  type MemoryEngineOptions,
  type OverflowPolicy,
  type PubSub,
  type TopicSubscribeOptions,
} from './pubsub.js';
export { type AttachOptions, createServer, type VolleyServer } from './server.js';
export type { ServerTransport, TransportEvents } from './transport.js';
