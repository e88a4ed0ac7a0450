/**
 * The little a connection needs from a socket. Adapters fill it in (`ws` here, an
 * in-memory pair in tests), so the protocol logic never touches a concrete socket.
 */
export interface ServerTransport {
  /** Queues one text frame. Must not throw once the socket has closed; it drops the frame. */
  send(text: string): void;
  /**
   * Queues one text frame whose payload is `head` then `tail` (UTF-8 bytes), so that a
   * part shared by many frames (a topic event's data) is encoded once. Optional: without
   * it, the two are joined as text and sent with `send`.
   */
  sendJoined?(head: Uint8Array, tail: Uint8Array): void;
  /** Starts the closing handshake with `code` and `reason`. */
  close(code: number, reason: string): void;
  /** Drops the socket at once, without a closing handshake. */
  terminate(): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /**
   * Stops delivering frames until `resume()`; what the peer sends meanwhile waits in the
   * socket (TCP holds the peer back). A few frames already read may still arrive.
   * Optional: without it, a congested connection keeps reading.
   */
  pause?(): void;
  /** Delivers frames again after `pause()`. */
  resume?(): void;
  /**
   * Calls `callback` once, when `bufferedAmount` has fallen to `threshold` or below (at
   * once if it already has), or when the socket closes. Only one callback waits at a
   * time; a new one replaces it. Optional: without it, subscriptions are never held back.
   */
  onDrain?(threshold: number, callback: () => void): void;
  /**
   * Called by the server every heartbeat interval: pings the peer, or drops the socket
   * when the previous ping is still unanswered. Optional: without it, the transport
   * finds dead peers by its own means.
   */
  heartbeat?(): void;
}

/** What an adapter calls on the connection as the socket reports. */
export interface TransportEvents {
  /** A text frame, or `undefined` for a binary frame (which Volley does not speak). */
  onMessage(text: string | undefined): void;
  /** The socket is gone, however it went. Called once. */
  onClose(): void;
}
