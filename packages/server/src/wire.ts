// Every frame the server writes is encoded here, and every frame it reads is decoded here.
// Encoders build the envelope by concatenation, with no intermediate object per message;
// they throw what `JSON.stringify` throws (a BigInt, a cycle), and callers turn that into
// an error response.
import { type ErrorObject, METHODS, type RequestId } from '@volley/core';

const PREFIX = '{"jsonrpc":"2.0"';

/**
 * A numeric id that a double cannot hold exactly (past 2^53, or a long fraction), kept as
 * the text the client sent so that it is echoed exactly. `value` is the parsed number,
 * which is what the call table and `rpc.cancel` compare.
 */
export class ExactId {
  constructor(
    readonly json: string,
    readonly value: number,
  ) {}
}

/** An id as the server echoes it. */
export type WireId = RequestId | ExactId;

function idJson(id: WireId): string {
  return id instanceof ExactId ? id.json : JSON.stringify(id);
}

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

/** A success response. An `undefined` result is sent as `null`, since `result` is required. */
export function encodeResult(id: WireId, result: unknown): string {
  return `${PREFIX},"id":${idJson(id)},"result":${stringifyValue(result)}}`;
}

/** A success response whose result is JSON text already: one encoded once and sent often. */
export function encodeResultJson(id: WireId, resultJson: string): string {
  return `${PREFIX},"id":${idJson(id)},"result":${resultJson}}`;
}

/**
 * A subscription's acknowledgement: `{"subscription": <id>}`, plus where a resumable stream
 * starts (`lastEventId`) and, for `rpc.resume`, whether it resumed whole (`recovered`).
 */
export function encodeAck(id: WireId, lastEventId?: string, recovered?: boolean): string {
  const json = idJson(id);
  let result = `{"subscription":${json}`;
  if (lastEventId !== undefined) result += `,"lastEventId":${JSON.stringify(lastEventId)}`;
  if (recovered !== undefined) result += `,"recovered":${recovered}`;
  return `${PREFIX},"id":${json},"result":${result}}}`;
}

/** An error response. */
export function encodeError(id: WireId, error: ErrorObject): string {
  return `${PREFIX},"id":${idJson(id)},"error":${JSON.stringify(error)}}`;
}

/**
 * The head of subscription `subscription`'s `rpc.event` frames: everything up to and
 * including the subscription id. The same for every event of one subscription.
 */
export function eventHead(subscription: WireId): string {
  return `${PREFIX},"method":"${METHODS.EVENT}","params":{"subscription":${idJson(subscription)}`;
}

/**
 * The tail of an `rpc.event` frame: the event id, if any, and the data. The same for
 * every subscriber of one topic event, so it is built once per event.
 */
export function eventTail(data: unknown, eventId?: string): string {
  return eventId === undefined
    ? `,"data":${stringifyValue(data)}}}`
    : `,"eventId":${JSON.stringify(eventId)},"data":${stringifyValue(data)}}}`;
}

/** `rpc.event`: one event of subscription `subscription`. */
export function encodeEvent(subscription: WireId, data: unknown, eventId?: string): string {
  return eventHead(subscription) + eventTail(data, eventId);
}

/** `rpc.complete`: subscription `subscription` ended. */
export function encodeComplete(subscription: WireId): string {
  return `${PREFIX},"method":"${METHODS.COMPLETE}","params":{"subscription":${idJson(subscription)}}}`;
}

/** `rpc.error`: subscription `subscription` failed. */
export function encodeSubscriptionError(subscription: WireId, error: ErrorObject): string {
  return `${PREFIX},"method":"${METHODS.ERROR}","params":{"subscription":${idJson(subscription)},"error":${JSON.stringify(error)}}}`;
}

/** Joins already-encoded messages into one batch frame. */
export function encodeBatch(messages: readonly string[]): string {
  return `[${messages.join(',')}]`;
}

const utf8 = new TextEncoder();

/** Text as UTF-8 bytes: for frame parts that are encoded once and written many times. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Whether `id` is a number a double does not hold exactly, whose text must be echoed instead. */
export function isInexact(id: unknown): id is number {
  return typeof id === 'number' && Number.isFinite(id) && !Number.isSafeInteger(id);
}

/**
 * An id as the server echoes it: the text the client wrote (`raw`, from `rawIds`) when the
 * parsed number is not exact, else the id itself.
 */
export function wireId<T extends RequestId | undefined>(
  id: T,
  raw: string | undefined,
): T | ExactId {
  return raw !== undefined && isInexact(id) ? new ExactId(raw, id) : id;
}

/**
 * The id to answer an invalid message with: its own when usable (as written, given its
 * `raw` text), else `null` (spec, section 5).
 */
export function idOf(value: unknown, raw?: string): WireId {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'string') return id;
  return typeof id === 'number' && Number.isFinite(id) ? wireId(id, raw) : null;
}
