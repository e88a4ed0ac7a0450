import type { ServerObserver } from './observer.js';

/**
 * The little a connection needs from a socket. An adapter fills it in for one kind of
 * socket (`ws` in `ws-transport.ts`, an in-memory pair in `memory-transport.ts`), so the
 * connection logic never touches a concrete socket, and no Node type appears in it. Serve
 * another kind of socket by writing an adapter and passing it to `server.accept()`.
 */
export interface ServerTransport {
  /**
   * Queues one frame: a text frame for a string, a binary frame for bytes (a binary
   * codec's). Drops it, without throwing, once the socket is closing or closed.
   */
  send(frame: string | Uint8Array): void;
  /**
   * Queues one frame whose payload is `head` then `tail`, so that a part shared by many
   * frames (a topic event's data) is encoded once: a text frame (the parts are UTF-8), or
   * a binary one when `binary`. Drops it once closing or closed.
   */
  sendJoined(head: Uint8Array, tail: Uint8Array, binary?: boolean): void;
  /** Starts the closing handshake with `code` and `reason` (at most 123 bytes of UTF-8). */
  close(code: number, reason: string): void;
  /** Drops the socket at once, without a closing handshake. */
  terminate(): void;
  /** Bytes queued but not yet written to the peer. */
  readonly bufferedAmount: number;
  /**
   * Stops reading: what the peer sends meanwhile waits (TCP holds the peer back). Frames
   * already read may still be delivered; the connection holds them.
   */
  pause(): void;
  /** Reads again after `pause()`. */
  resume(): void;
  /**
   * Calls `callback` once, when `bufferedAmount` has fallen to `threshold` or below (at
   * once if it already has), or when the socket closes. One callback waits at a time; a
   * new one replaces it.
   */
  onDrain(threshold: number, callback: () => void): void;
  /**
   * Called by the server every heartbeat interval: checks the peer is alive (a WebSocket
   * ping), and drops the socket when the previous check went unanswered.
   */
  heartbeat(): void;
}

/** What an adapter calls on the connection as the socket reports. */
export interface TransportEvents {
  /** A text frame (a string), or a binary frame (its bytes). */
  onMessage(frame: string | Uint8Array): void;
  /**
   * The socket is gone, however it went, with its close code when known (else 1006 is
   * assumed). Called once.
   */
  onClose(code?: number): void;
  /**
   * The server's observer, when one is attached (read it at each frame: one may be
   * attached at any time). An adapter that can should tell it the bytes of each frame it
   * reads and writes (`observer.bytes?.('in' | 'out', count)`), and a frame it refused
   * for `maxPayload` (`observer.limitHit?.('maxPayload', undefined)`). Optional.
   */
  readonly observer?: ServerObserver | undefined;
}

/** Makes a transport for a connection, given the connection's events to call. */
export type TransportFactory = (events: TransportEvents) => ServerTransport;
