// What `createClient` and `createHandlers` (`@volley/client/handlers`) agree on: the
// handlers are a function the client calls once with its socket's `send` and its state
// listener, and that returns what serves each request from the server. Types only, so
// that the default bundle carries none of the handlers' code.
import type { ClientCodec } from './codec.js';
import type { Connection } from './connection.js';
import type { ServerMessage } from './inbound.js';

/**
 * Serves the server's calls on one client: make it with `createHandlers(router)` from
 * `@volley/client/handlers` and pass it as `createClient({ handlers })`. One per client.
 */
export type ClientHandlers = (
  /** The client's connection: its `_send` and its `_onStateChange` (a drop ends what runs). */
  connection: Pick<Connection, '_send' | '_onStateChange'>,
  /** The client's encoding: `JSON`, or its codec (`@volley/client/msgpack`). */
  codec: Pick<ClientCodec, 'stringify'>,
) => (message: ServerMessage) => void;
