// @volley/client: the typed client. Browser-safe: nothing here imports Node.

export { VolleyError } from '@volley/core';
export { type ClientOptions, createClient, DEFAULT_TIMEOUT_MS, type Lazy } from './client.js';
export type { ConnectionState } from './connection.js';
export { ClientClosedError, ConnectionLostError } from './errors.js';
export type { SubscribeOptions, Subscription } from './subscription.js';
export type { CallOptions, ClientControls, DecorateRecord, VolleyClient } from './types.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
