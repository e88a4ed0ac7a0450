/**
 * The little a connection needs from a socket. Adapters fill it in (`ws` here, an
 * in-memory pair in tests), so the protocol logic never touches a concrete socket.
 */
export interface ServerTransport {
  /** Queues one text frame. Must not throw once the socket has closed; it drops the frame. */
  send(text: string): void;
  /** Starts the closing handshake with `code` and `reason`. */
  close(code: number, reason: string): void;
  /** Drops the socket at once, without a closing handshake. */
  terminate(): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
}

/** What an adapter calls on the connection as the socket reports. */
export interface TransportEvents {
  /** A text frame, or `undefined` for a binary frame (which Volley does not speak). */
  message(text: string | undefined): void;
  /** The socket is gone, however it went. Called once. */
  close(): void;
}
