/**
 * Why the client's connection ended, or why an attempt to open one failed: the second
 * argument of `$onStateChange` listeners, `client.$lastDisconnect`, and
 * `ConnectionLostError.disconnect`. `kind` says what happened:
 *
 * - `refused`: the socket never opened. Nothing listens at the URL (the server is down),
 *   the host is unknown or unreachable, TLS failed, or the HTTP upgrade was refused.
 *   Browsers give only code 1006 for all of these; `ws` adds its error's message as
 *   `reason` (`connect ECONNREFUSED 127.0.0.1:3001`).
 * - `closed`: the socket opened and then closed: the server went away (1001), the network
 *   dropped it (1006), or the server closed it for another reason (see `code`).
 * - `timeout`: the server did not accept the connection within `connectTimeoutMs`.
 * - `heartbeat`: the open connection stayed silent for two heartbeat intervals and was
 *   dropped as dead (code 4000).
 * - `denied`: the server refused the connection params with 4401 (unauthorized) or 4403
 *   (forbidden). The client does not retry.
 * - `error`: the URL or the connection params could not be had (their function threw or
 *   rejected), or the URL is malformed; `error` holds what was thrown.
 */
export interface Disconnect {
  readonly kind: 'refused' | 'closed' | 'timeout' | 'heartbeat' | 'denied' | 'error';
  /**
   * The WebSocket close code: the socket's own for `closed` and `denied`; 1006 (abnormal)
   * when it never opened or was abandoned; 4000 for `heartbeat`.
   */
  readonly code: number;
  /** The close reason the peer gave, else the client's own words for what happened; may be empty. */
  readonly reason: string;
  /** Kind `error`: what was thrown. */
  readonly error?: unknown;
}
