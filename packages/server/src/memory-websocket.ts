import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { createMemoryPair, type MemoryClientEnd } from './memory-transport.js';
import type { AcceptInfo } from './server-types.js';
import type { TransportFactory } from './transport.js';

/**
 * A WebSocket class whose sockets connect to one server in memory: pass it to
 * `createClient({ url, WebSocket })` (any `url`, such as `memory://test/?name=Ada`; its
 * path and query reach `createContext` as `request.url`). A socket the server refuses
 * (it is closing, or full) closes with 1006, as a refused upgrade would.
 */
export interface InMemoryWebSocket {
  new (url: string | URL, protocols?: string | string[]): MemoryClientEnd;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
}

/** The upgrade request a memory socket brings: a real `IncomingMessage`, with no network under it. */
function requestFor(url: string | URL): IncomingMessage {
  const parsed = new URL(String(url), 'memory://localhost/');
  const request = new IncomingMessage(new Socket());
  request.url = `${parsed.pathname}${parsed.search}`;
  request.headers = { host: parsed.host || 'localhost', upgrade: 'websocket' };
  return request;
}

/** Makes the class; `accept` is the server's, which says whether it took the connection. */
export function inMemoryWebSocket(
  accept: (transport: TransportFactory, info: AcceptInfo) => boolean,
  maxPayload: number,
): InMemoryWebSocket {
  class MemoryWebSocket {
    static readonly CONNECTING = 0 as const;
    static readonly OPEN = 1 as const;
    static readonly CLOSING = 2 as const;
    static readonly CLOSED = 3 as const;

    constructor(url: string | URL) {
      const { client, server } = createMemoryPair(maxPayload);
      if (!accept(server, { request: requestFor(url), clientAddress: undefined })) {
        // Refused before a connection existed: the socket fails as a refused upgrade does.
        setTimeout(() => client.close(), 0);
      }
      // The pair is the socket: the class only connects it.
      // biome-ignore lint/correctness/noConstructorReturn: a constructor for the WebSocket API's shape.
      return client as unknown as MemoryWebSocket;
    }
  }
  return MemoryWebSocket as unknown as InMemoryWebSocket;
}
