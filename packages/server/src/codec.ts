// The connection's encoding: how every frame it writes is encoded, and which kind of
// frame it reads. JSON text is the default; a binary codec (`@volley/server/msgpack`) is
// chosen per connection by the WebSocket subprotocol the client asks for. Each step that
// answers asks the connection's codec, so any frame a connection sends (a result, an
// error, an event, a batch) goes out in the connection's encoding.
import type { ErrorObject, MsgpackScan, MsgpackScanLimits, Params } from '@volley/core';
import type { WireId } from './wire.js';

/** One frame as the server writes it: JSON text, or the bytes of a binary codec. */
export type Frame = string | Uint8Array;

/**
 * An encoding a connection can speak. `@volley/server` has JSON built in; pass others in
 * `createServer({ codecs })`, such as `msgpack` from `@volley/server/msgpack`. The members
 * are the messages of the protocol (PROTOCOL.md), each given as a whole frame, except
 * the event head and tail, which the pub/sub fast path joins per subscriber.
 */
export interface ServerCodec {
  /**
   * The WebSocket subprotocol that selects this codec, such as `volley.msgpack`. A client
   * that asks for none gets JSON.
   */
  readonly subprotocol: string;
  /** Whether frames are binary (opcode 2) rather than text. */
  readonly binary: boolean;
  /**
   * Checks a binary frame against the limits without decoding it (binary codecs only).
   * Must allocate nothing per value, however large the lengths the frame claims.
   */
  scan(frame: Uint8Array, limits: MsgpackScanLimits): MsgpackScan;
  /**
   * Decodes a binary frame that passed {@link ServerCodec.scan}, or returns
   * `PARSE_FAILED` (from `wire.ts`) rather than throwing.
   */
  decode(frame: Uint8Array): unknown;
  /** The exact text of each 64-bit integer id of a decoded binary frame, by position. */
  rawIds(frame: Uint8Array): Array<string | undefined>;
  /** `{"jsonrpc":"2.0","id":…,"result":…}`; `undefined` goes as `null`. @throws what the encoder throws for a value it cannot carry. */
  result(id: WireId, result: unknown): Frame;
  /** A result given as JSON text already (`rpc.discover`). */
  resultJson(id: WireId, json: string): Frame;
  /** A subscription's acknowledgement: `{"subscription": id, "lastEventId"?, "recovered"?}`. */
  ack(id: WireId, lastEventId?: string, recovered?: boolean): Frame;
  /** An error response. */
  error(id: WireId, error: ErrorObject): Frame;
  /** `rpc.event`. @throws what the encoder throws for data it cannot carry. */
  event(subscription: WireId, data: unknown, eventId?: string): Frame;
  /** The part of `rpc.event` frames that is the same for every event of one subscription. */
  eventHead(subscription: WireId): Uint8Array;
  /**
   * The part of an `rpc.event` frame that is the same for every subscriber of one topic
   * event: its id and data. `eventHead(s)` then this is the whole frame.
   * @throws what the encoder throws for data it cannot carry.
   */
  eventTail(data: unknown, eventId: string): Uint8Array;
  /** `rpc.complete`. */
  complete(subscription: WireId): Frame;
  /** `rpc.error`. */
  subscriptionError(subscription: WireId, error: ErrorObject): Frame;
  /** Already-encoded messages as one batch frame. */
  batch(messages: readonly Frame[]): Frame;
  /**
   * A request from the server to the client (a server-to-client call, id `"s1"`, ...).
   * @throws what the encoder throws for params it cannot carry.
   */
  request(id: string, method: string, params: Params | undefined): Frame;
  /** A notification from the server to the client, such as `rpc.cancel`. */
  notification(method: string, params: Params): Frame;
}
