// @volley/server: serves a Volley router over WebSockets with ws, and the pieces a user
// needs around it: pub/sub, the in-memory pair and direct caller for tests, the transport
// seam for other sockets.

export { type Caller, type CallerOptions, createCaller } from './caller.js';
export {
  type ClientCallServerOptions,
  DEFAULT_CLIENT_CALL_TIMEOUT_MS,
  DEFAULT_MAX_CLIENT_CALLS,
} from './client-calls-options.js';
export { CloseConnectionError } from './close-connection.js';
export type { Frame, ServerCodec } from './codec.js';
export { JSON_SUBPROTOCOL } from './codec-json.js';
export { ConnectionClosedError } from './connection-closed-error.js';
export {
  DEFAULT_DISCOVERY_INFO,
  type DiscoveryInfo,
  type DiscoveryOptions,
} from './discovery.js';
export type { JsonSchema, JsonSchemaConverter, SchemaSide } from './discovery-schemas.js';
export { toErrorObject } from './error-mapping.js';
export { reportToStderr } from './error-reporter.js';
export {
  BATCH_BYTES_PER_ISSUE,
  BATCH_FULL_ANSWERS,
  DEFAULT_MAX_ISSUES,
  MAX_ISSUE_KEY_LENGTH,
  MAX_ISSUE_MESSAGE_LENGTH,
  MAX_ISSUE_PATH_LENGTH,
} from './issues.js';
export {
  DEFAULT_CONNECTION_INIT_TIMEOUT_MS,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BATCH_LENGTH,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  DEFAULT_MAX_PENDING_UPGRADES,
  DEFAULT_MAX_QUEUED_BEFORE_READY,
  DEFAULT_MAX_QUEUED_BYTES_BEFORE_READY,
  DEFAULT_MAX_SUBSCRIPTIONS,
  DEFAULT_MAX_VALUES,
  DEFAULT_RATE_LIMIT,
  DEFAULT_UPGRADE_TIMEOUT_MS,
  type LimitOptions,
  type OriginCheck,
  type RateLimit,
} from './limits.js';
export {
  createMemoryPair,
  type MemoryClientEnd,
  type MemoryCloseEvent,
} from './memory-transport.js';
export type { InMemoryWebSocket } from './memory-websocket.js';
export type {
  CallOutcome,
  LimitName,
  ObservedCall,
  ObservedConnection,
  RefusalReason,
  ServerObserver,
  TraceContext,
} from './observer.js';
export {
  type ConnectionInfo,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type ErrorInfo,
  type ServerOptions,
} from './options.js';
export {
  createMemoryEngine,
  DEFAULT_LOG_SIZE,
  type MemoryEngineOptions,
} from './pubsub/memory-engine.js';
export { createMemoryPresence } from './pubsub/memory-presence.js';
export type { PresenceEventsOptions, PresenceStream } from './pubsub/presence-stream.js';
export {
  createPubSub,
  DEFAULT_MAX_PRESENCE_MEMBERS,
  type PubSub,
  type PubSubOptions,
} from './pubsub/pubsub.js';
export {
  DEFAULT_MAX_BUFFERED_EVENTS,
  type OverflowPolicy,
  type TopicStream,
  type TopicSubscribeOptions,
} from './pubsub/topic-stream.js';
export { createServer } from './server.js';
export type {
  AcceptInfo,
  AttachOptions,
  ServerGauges,
  ServerStats,
  VolleyServer,
} from './server-types.js';
export { isTraceparent, MAX_TRACESTATE_LENGTH, traceContextOf } from './trace-context.js';
export type { ServerTransport, TransportEvents, TransportFactory } from './transport.js';
