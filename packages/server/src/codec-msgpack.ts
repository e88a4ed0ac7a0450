// MessagePack, the opt-in binary encoding (`@volley/server/msgpack`): the same JSON-RPC
// messages, as MessagePack maps in binary frames, so a `Uint8Array` travels as bytes (bin)
// rather than as an object of indexes or base64 text. Decoding is msgpackr's, but only
// after `scanMsgpack` (core) has checked the frame's limits and shape on the raw bytes.
import {
  type ErrorObject,
  METHODS,
  type MsgpackScanLimits,
  msgpackRawIds,
  scanMsgpack,
} from '@volley/core';
import { Packr, Unpackr } from 'msgpackr';
import type { Frame, ServerCodec } from './codec.js';
import { ExactId, PARSE_FAILED, type WireId } from './wire.js';

/** The WebSocket subprotocol of the MessagePack codec. */
export const MSGPACK_SUBPROTOCOL = 'volley.msgpack';

// Plain maps with string keys, no record extension (msgpackr's own, which other decoders
// cannot read); undefined members left out and undefined elements written as nil, as JSON
// does. Dates go as the timestamp extension, bytes as bin.
const packr = new Packr({
  useRecords: false,
  encodeUndefinedAsNil: true,
  // In msgpackr's code, not yet in its types.
  skipValues: [undefined],
} as ConstructorParameters<typeof Packr>[0]);
// Maps as plain objects (msgpackr renames a `__proto__` key, which the scan refuses
// anyway), 64-bit integers as numbers (ids keep their exact text through `rawIds`).
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** An id as msgpack writes it back: a 64-bit integer exactly as it came. */
function idValue(id: WireId): string | number | bigint | null {
  return id instanceof ExactId ? BigInt(id.json) : id;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/** A copy: msgpackr's output shares a buffer with later output, which is fine for a frame sent now, not for a part kept. */
function kept(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

// {"jsonrpc":"2.0","method":"rpc.event","params":{"subscription":…,"eventId":…,"data":…}}
// split as head (per subscription) and tail (per event): a map of three in `params`.
const EVENT_HEAD_START = concat([
  Uint8Array.of(0x83),
  packr.pack('jsonrpc'),
  packr.pack('2.0'),
  packr.pack('method'),
  packr.pack(METHODS.EVENT),
  packr.pack('params'),
  Uint8Array.of(0x83),
  packr.pack('subscription'),
]);
const EVENT_ID_KEY = kept(packr.pack('eventId'));
const DATA_KEY = kept(packr.pack('data'));

function encode(message: object): Uint8Array {
  return packr.pack(message);
}

/**
 * The MessagePack codec: pass it in `createServer({ codecs: [msgpack] })`. A client that
 * asks for the `volley.msgpack` subprotocol then speaks MessagePack on its connection;
 * every other client keeps JSON. See PROTOCOL.md, "Binary frames".
 */
export const msgpack: ServerCodec = {
  subprotocol: MSGPACK_SUBPROTOCOL,
  binary: true,
  scan: (frame: Uint8Array, limits: MsgpackScanLimits) => scanMsgpack(frame, limits),
  decode(frame) {
    try {
      return unpackr.unpack(frame);
    } catch {
      return PARSE_FAILED;
    }
  },
  rawIds: msgpackRawIds,
  result: (id, result) => encode({ jsonrpc: '2.0', id: idValue(id), result: result ?? null }),
  resultJson: (id, json) =>
    encode({ jsonrpc: '2.0', id: idValue(id), result: JSON.parse(json) as unknown }),
  ack(id, lastEventId, recovered) {
    const subscription = idValue(id);
    const result: Record<string, unknown> = { subscription };
    if (lastEventId !== undefined) result.lastEventId = lastEventId;
    if (recovered !== undefined) result.recovered = recovered;
    return encode({ jsonrpc: '2.0', id: subscription, result });
  },
  error: (id, error: ErrorObject) => encode({ jsonrpc: '2.0', id: idValue(id), error }),
  event: (subscription, data, eventId) =>
    encode({
      jsonrpc: '2.0',
      method: METHODS.EVENT,
      params:
        eventId === undefined
          ? { subscription: idValue(subscription), data: data ?? null }
          : { subscription: idValue(subscription), eventId, data: data ?? null },
    }),
  eventHead: (subscription) => concat([EVENT_HEAD_START, packr.pack(idValue(subscription))]),
  eventTail: (data, eventId) =>
    concat([EVENT_ID_KEY, packr.pack(eventId), DATA_KEY, packr.pack(data ?? null)]),
  complete: (subscription) =>
    encode({
      jsonrpc: '2.0',
      method: METHODS.COMPLETE,
      params: { subscription: idValue(subscription) },
    }),
  subscriptionError: (subscription, error) =>
    encode({
      jsonrpc: '2.0',
      method: METHODS.ERROR,
      params: { subscription: idValue(subscription), error },
    }),
  request: (id, method, params) => encode({ jsonrpc: '2.0', id, method, params }),
  notification: (method, params) => encode({ jsonrpc: '2.0', method, params }),
  batch(messages: readonly Frame[]) {
    const length = messages.length;
    const header =
      length < 16
        ? Uint8Array.of(0x90 | length)
        : length < 0x10000
          ? Uint8Array.of(0xdc, length >> 8, length & 0xff)
          : Uint8Array.of(
              0xdd,
              length >>> 24,
              (length >> 16) & 0xff,
              (length >> 8) & 0xff,
              length & 0xff,
            );
    return concat([header, ...(messages as readonly Uint8Array[])]);
  },
};
