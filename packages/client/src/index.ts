// @volley/client: the typed client. Browser-safe: nothing here imports Node.

export { VolleyError } from '@volley/core';
export { createClient } from './client.js';
export type { ClientCodec } from './codec.js';
export type { ConnectionState, StateListener } from './connection.js';
export type { Disconnect } from './disconnect.js';
export { ClientClosedError, ConnectionLostError, ResyncRequiredError } from './errors.js';
export {
  type BaseClientOptions,
  type ClientOptions,
  DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_LAZY_IDLE_MS,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  type Lazy,
  type RetryOptions,
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
