/**
 * The part of the WebSocket API Volley uses: the browser's `WebSocket`, Node 22's
 * global one, and the `ws` package all fit. Handlers are typed loosely because each
 * implementation types its events differently; Volley reads only `data`, `code` and
 * `reason`.
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** Sends one frame: text, or bytes (a binary codec's). */
  send(data: string | Uint8Array): void;
  /** How binary frames arrive; a binary codec asks for `'arraybuffer'`. */
  binaryType?: string;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  onopen: unknown;
  onmessage: unknown;
  onclose: unknown;
  onerror: unknown;
}

/** A WebSocket class, such as `globalThis.WebSocket` or `ws`'s default export. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** `readyState` of an open socket, the same in every implementation. */
export const OPEN = 1;

/** How long the client's `$close()` waits for the closing handshake, in ms, before it drops the socket: 1 s. */
export const CLOSE_GRACE_MS = 1_000;
