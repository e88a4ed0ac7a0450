import type { ErrorObject, Params, RequestId } from './messages.js';
import { METHODS } from './messages.js';

// Pure encoders and the decoder. Encoders build the envelope text by concatenation,
// which skips an intermediate object per message; they throw what `JSON.stringify`
// throws (a BigInt, a cycle), and callers turn that into an error response.

const PREFIX = '{"jsonrpc":"2.0"';

/** JSON text for a value, with `undefined` (and functions) written as `null`. */
export function stringifyValue(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** Marks a frame that was not valid JSON. */
export const PARSE_FAILED: unique symbol = Symbol('volley.parseFailed');

/** Parses one text frame. Returns {@link PARSE_FAILED} rather than throwing. */
export function decodeFrame(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return PARSE_FAILED;
  }
}

/** A request (with id) or a notification (id `undefined`). */
export function encodeRequest(id: RequestId | undefined, method: string, params?: Params): string {
  let text = PREFIX;
  if (id !== undefined) text += `,"id":${JSON.stringify(id)}`;
  text += `,"method":${JSON.stringify(method)}`;
  if (params !== undefined) text += `,"params":${JSON.stringify(params)}`;
  return `${text}}`;
}

/** A success response. An `undefined` result is sent as `null`, since `result` is required. */
export function encodeResult(id: RequestId, result: unknown): string {
  return `${PREFIX},"id":${JSON.stringify(id)},"result":${stringifyValue(result)}}`;
}

/** An error response. */
export function encodeError(id: RequestId, error: ErrorObject): string {
  return `${PREFIX},"id":${JSON.stringify(id)},"error":${JSON.stringify(error)}}`;
}

/** `rpc.event`: one event of subscription `subscription`. */
export function encodeEvent(
  subscription: string | number,
  data: unknown,
  eventId?: string,
): string {
  return createEventEncoder(subscription)(encodeEventTail(stringifyValue(data), eventId));
}

/**
 * The part of an `rpc.event` after the subscription id: the event id, if any, and the
 * data, already encoded as JSON text. It is the same for every subscriber of a topic
 * event, so a server can build it once per event.
 */
export function encodeEventTail(dataJson: string, eventId?: string): string {
  return eventId === undefined
    ? `,"data":${dataJson}}}`
    : `,"eventId":${JSON.stringify(eventId)},"data":${dataJson}}}`;
}

/**
 * Encodes the events of one subscription, with the fixed head of the envelope (up to and
 * including the subscription id) built once: `encode(tail)` only appends a tail from
 * {@link encodeEventTail}.
 */
export function createEventEncoder(subscription: string | number): (tail: string) => string {
  const head = `${PREFIX},"method":"${METHODS.EVENT}","params":{"subscription":${JSON.stringify(subscription)}`;
  return (tail) => head + tail;
}

/** `rpc.complete`: subscription `subscription` ended. */
export function encodeComplete(subscription: string | number): string {
  return `${PREFIX},"method":"${METHODS.COMPLETE}","params":{"subscription":${JSON.stringify(subscription)}}}`;
}

/** `rpc.error`: subscription `subscription` failed. */
export function encodeSubscriptionError(subscription: string | number, error: ErrorObject): string {
  return `${PREFIX},"method":"${METHODS.ERROR}","params":{"subscription":${JSON.stringify(subscription)},"error":${JSON.stringify(error)}}}`;
}

/** Joins already-encoded messages into one batch frame. */
export function encodeBatch(messages: readonly string[]): string {
  return `[${messages.join(',')}]`;
}
