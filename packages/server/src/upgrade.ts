// The HTTP side of serving: the server `listen()` makes, with its timeouts and its bound
// on sockets that have not upgraded yet, and the helpers that answer an upgrade that is
// refused before any WebSocket exists.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerLimits } from './limits.js';

/** Answers an upgrade with an HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/** The path of a request, without its query string. */
export function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The client's address: the socket's peer, or with `trustProxy` (`true` or a number of
 * proxies) the entry of `X-Forwarded-For` that the outermost trusted proxy added.
 */
export function clientAddressOf(
  request: IncomingMessage,
  trustProxy: boolean | number,
): string | undefined {
  const peer = request.socket.remoteAddress;
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : trustProxy;
  if (hops <= 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined) return peer;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // Each trusted proxy appended the address it saw; the one the outermost saw is the client.
  return entries[Math.max(0, entries.length - hops)] ?? peer;
}

/**
 * The HTTP server `listen()` makes: it answers plain requests with 426, gives a request
 * `upgradeTimeoutMs` to arrive whole, and holds at most `maxPendingUpgrades` sockets that
 * have not upgraded, dropping the oldest to make room for a new one (and telling
 * `onEvicted`).
 */
export function createUpgradeServer(limits: ServerLimits, onEvicted: () => void): Server {
  const timeout = Number.isFinite(limits.upgradeTimeoutMs) ? limits.upgradeTimeoutMs : 0;
  const server = createHttpServer(
    {
      headersTimeout: timeout,
      requestTimeout: timeout,
      // How often Node looks for requests past those timeouts (default 30 s).
      connectionsCheckingInterval: timeout > 0 ? Math.min(1_000, timeout) : 30_000,
    },
    (_request, response) => {
      response.writeHead(426, {
        'Content-Type': 'text/plain',
        Upgrade: 'websocket',
        Connection: 'close',
      });
      response.end('Upgrade Required: this is a Volley WebSocket endpoint');
    },
  );
  // Sockets not upgraded yet, oldest first.
  const pending = new Set<Socket>();
  // One listener for every socket (the socket is `this`), taken off when it upgrades: an
  // upgraded connection keeps nothing of this server.
  function forget(this: Socket): void {
    pending.delete(this);
  }
  server.on('connection', (socket: Socket) => {
    if (pending.size >= limits.maxPendingUpgrades) {
      const oldest = pending.values().next().value as Socket;
      pending.delete(oldest);
      oldest.destroy();
      onEvicted();
    }
    pending.add(socket);
    socket.on('close', forget);
  });
  // Registered before the WebSocket handler: from here on the socket is not HTTP's.
  server.prependListener('upgrade', (_request: IncomingMessage, socket: Duplex) => {
    pending.delete(socket as Socket);
    socket.off('close', forget);
  });
  return server;
}
