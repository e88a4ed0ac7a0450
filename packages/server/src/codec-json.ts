// JSON text, the default encoding: the encoders of `wire.ts` as a codec.
import { MSGPACK_VERDICT } from '@volley/core';
import { encodeClientRequest } from './client-calls-wire.js';
import type { Frame, ServerCodec } from './codec.js';
import {
  encodeAck,
  encodeBatch,
  encodeComplete,
  encodeError,
  encodeEvent,
  encodeResult,
  encodeResultJson,
  encodeSubscriptionError,
  eventHead,
  eventTail,
  PARSE_FAILED,
  utf8Bytes,
} from './wire.js';

/** The subprotocol a client may ask for to say JSON explicitly; asking for none means JSON too. */
export const JSON_SUBPROTOCOL = 'volley.json';

/** The built-in codec: JSON-RPC 2.0 as JSON text in text frames. */
export const jsonCodec: ServerCodec = {
  subprotocol: JSON_SUBPROTOCOL,
  binary: false,
  // A JSON connection refuses binary frames before looking at them (admission.ts).
  scan: () => ({ verdict: MSGPACK_VERDICT.MALFORMED, count: 1, idAt: -1 }),
  decode: () => PARSE_FAILED,
  rawIds: () => [],
  result: encodeResult,
  resultJson: encodeResultJson,
  ack: encodeAck,
  error: encodeError,
  event: encodeEvent,
  eventHead: (subscription) => utf8Bytes(eventHead(subscription)),
  eventTail: (data, eventId) => utf8Bytes(eventTail(data, eventId)),
  complete: encodeComplete,
  subscriptionError: encodeSubscriptionError,
  batch: (messages: readonly Frame[]) => encodeBatch(messages as readonly string[]),
  request: encodeClientRequest,
  notification: (method, params) => JSON.stringify({ jsonrpc: '2.0', method, params }),
};
