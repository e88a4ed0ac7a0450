// @volley/client: the typed client. Browser-safe: nothing here imports Node.

export { VolleyError } from '@volley/core';
export { createClient } from './client.js';
export {
  type ConnectionState,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_RETRY,
  type RetryOptions,
} from './connection.js';
export { ClientClosedError, ConnectionLostError, ResyncRequiredError } from './errors.js';
export {
  type ClientOptions,
  DEFAULT_LAZY_IDLE_MS,
  DEFAULT_TIMEOUT_MS,
  type Lazy,
} from './options.js';
export type { SubscribeOptions, Subscription } from './subscription.js';
export type {
  CallOptions,
  ClientControls,
  DecorateRecord,
  MutationOptions,
  VolleyClient,
} from './types.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
