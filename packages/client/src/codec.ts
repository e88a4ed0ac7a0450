import type { CodecName, Params, RequestId, TraceMembers } from '@volley/core';
import type { WebSocketConstructor, WebSocketLike } from './websocket.js';

/**
 * An encoding the client can speak instead of JSON: `msgpack` from
 * `@volley/client/msgpack`. Given as `createClient({ codec })`; its subprotocol is asked
 * for when the socket opens, and every frame is encoded and decoded with it.
 */
export interface ClientCodec<TName extends CodecName = CodecName> {
  /** Which codec: the client's outputs are typed for it. */
  readonly name: TName;
  /** The WebSocket subprotocol that asks the server for it, such as `volley.msgpack`. */
  readonly protocol: string;
  /**
   * Opens a socket to `url` that asks for {@link ClientCodec.protocol} and receives binary
   * frames as ArrayBuffers (a browser's default is Blob, which cannot be read at once).
   * @throws what the WebSocket constructor throws (a malformed URL).
   */
  open(WebSocket: WebSocketConstructor, url: string | URL): WebSocketLike;
  /**
   * Encodes one message (a request or notification object), as `JSON.stringify` does for
   * JSON, leaving out members that are `undefined`.
   * @throws what the encoder throws for a value it cannot carry.
   */
  stringify(message: object): string | Uint8Array;
  /**
   * Decodes one frame (an ArrayBuffer, a Buffer or bytes), as `JSON.parse` does a JSON one.
   * @throws on a frame that is not the codec's, which the client drops.
   */
  parse(data: unknown): unknown;
}

/** Encodes a request (or, with `id` `undefined`, a notification) in the client's codec. */
export type EncodeRequest = (
  id: RequestId | undefined,
  method: string,
  params?: Params,
  trace?: TraceMembers,
) => string | Uint8Array;
