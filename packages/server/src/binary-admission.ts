// Admission of the frames of a connection that speaks a binary codec (MessagePack): the
// limits hold on the raw bytes, before anything is decoded. The codec's scan checks
// nesting depth, values per message, batch length, truncation and the shapes it refuses
// (extension types, `__proto__` keys), allocating nothing per value; only a frame that
// passes is decoded, and then dispatched as a text frame would be.
import { type ErrorObject, MSGPACK_VERDICT, readMsgpackId } from '@volley/core';
import type { Connection } from './connection.js';
import { dispatchValue } from './dispatch.js';
import {
  batchTooLongError,
  rateLimitError,
  refuseDecoded,
  tooDeepError,
  tooManyValuesError,
} from './refusals.js';
import { protocolError } from './replies.js';
import type { TokenBucket } from './token-bucket.js';
import { PARSE_FAILED, type WireId, wireId } from './wire.js';

/** A text frame on a binary connection: refused, answered in the connection's codec. */
export const TEXT_FRAME_ERROR: ErrorObject = protocolError('INVALID_REQUEST', [
  {
    path: [],
    message: 'Text frames are not accepted: this connection speaks MessagePack in binary frames',
  },
]);

const EXTENSION_ERROR: ErrorObject = protocolError('INVALID_REQUEST', [
  {
    path: [],
    message: 'MessagePack extension types are not accepted (but for undefined and timestamps)',
  },
]);
const BAD_KEY_ERROR: ErrorObject = protocolError('INVALID_REQUEST', [
  { path: [], message: 'MessagePack map keys must be strings, and not __proto__' },
]);

/** The id of a single message, read from its bytes without decoding the frame. */
function scannedId(frame: Uint8Array, idAt: number): WireId {
  const read = readMsgpackId(frame, idAt);
  if (read === undefined) return null;
  return wireId(read.id, read.raw);
}

/**
 * A binary frame of a connection whose codec is binary: scanned, refused or decoded, and
 * dispatched. Every message costs a token of the rate limit, refused or not.
 */
export function admitBinary(
  connection: Connection,
  frame: Uint8Array,
  bucket: TokenBucket | undefined,
): void {
  const { limits } = connection.config;
  const { codec, outbound } = connection;
  const scan = codec.scan(frame, limits);
  const admitted = bucket?.take(scan.count > 0 ? scan.count : 1) ?? true;
  let refusal: ErrorObject | undefined;
  let answerTo: WireId = null;
  switch (scan.verdict) {
    // [0xcf, ...] (uint64 ...) cut short, a str32 claiming 4 GiB → {"id":null,"error":{"code":-32700}}
    case MSGPACK_VERDICT.MALFORMED:
      refusal = protocolError('PARSE_ERROR');
      break;
    // [1001 messages] → {"id":null,"error":{"code":-32013,"data":{"limit":"maxBatchLength"}}}
    case MSGPACK_VERDICT.BATCH_TOO_LONG:
      refusal = batchTooLongError(scan.count, limits.maxBatchLength);
      break;
    // {"id":1,"params":[[[[...]]]]} → {"id":1,"error":{"code":-32013,"data":{"limit":"maxDepth"}}}
    case MSGPACK_VERDICT.TOO_DEEP:
      refusal = tooDeepError(limits.maxDepth);
      answerTo = scannedId(frame, scan.idAt);
      break;
    // {"id":1,"params":[0,0,... 20,000]} → {"id":1,"error":{"code":-32013,"data":{"limit":"maxValues"}}}
    case MSGPACK_VERDICT.TOO_MANY_VALUES:
      refusal = tooManyValuesError(limits.maxValues);
      answerTo = scannedId(frame, scan.idAt);
      break;
    // an extension type (ext 8/16/32, fixext other than undefined and timestamp) → -32600
    case MSGPACK_VERDICT.EXTENSION:
      refusal = EXTENSION_ERROR;
      answerTo = scannedId(frame, scan.idAt);
      break;
    // a map key that is not a string, or is __proto__ → -32600
    case MSGPACK_VERDICT.BAD_KEY:
      refusal = BAD_KEY_ERROR;
      answerTo = scannedId(frame, scan.idAt);
      break;
  }
  if (refusal !== undefined) {
    outbound.send(codec.error(answerTo, refusal));
    return;
  }
  // Within the limits: decoding it is safe, and bounded by them.
  const value = codec.decode(frame);
  if (value === PARSE_FAILED) {
    outbound.send(codec.error(null, protocolError('PARSE_ERROR')));
    return;
  }
  // over the rate limit: an error for each request in it, nothing for notifications
  if (!admitted) {
    if (limits.rateLimit === false) return;
    const reply = refuseDecoded(codec, value, rateLimitError(limits.rateLimit), () =>
      codec.rawIds(frame),
    );
    if (reply !== undefined) outbound.send(reply);
    return;
  }
  dispatchValue(connection, value, frame);
}

/** A text frame on a binary connection: answered, in the codec, with {@link TEXT_FRAME_ERROR}. */
export function refuseText(connection: Connection, bucket: TokenBucket | undefined): void {
  const { rateLimit } = connection.config.limits;
  const { codec, outbound } = connection;
  if (bucket?.take(1) ?? true) outbound.send(codec.error(null, TEXT_FRAME_ERROR));
  else if (rateLimit !== false) outbound.send(codec.error(null, rateLimitError(rateLimit)));
}

/**
 * The first frame of a binary connection, decoded when it passes the scan (to see whether
 * it is `rpc.init`), with its id's exact text; `undefined` when it does not (it is then
 * served, and refused, once the connection is accepted).
 */
export function peekBinary(
  connection: Connection,
  frame: string | Uint8Array,
): { value: unknown; rawId: string | undefined } | undefined {
  const { codec } = connection;
  if (typeof frame === 'string') return undefined;
  if (codec.scan(frame, connection.config.limits).verdict !== MSGPACK_VERDICT.OK) return undefined;
  const value = codec.decode(frame);
  if (value === PARSE_FAILED) return undefined;
  return { value, rawId: codec.rawIds(frame)[0] };
}
