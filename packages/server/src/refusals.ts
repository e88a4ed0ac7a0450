import { ERROR_CODES, type ErrorObject, isRequest } from '@volley/core';
import type { Frame, ServerCodec } from './codec.js';
import { leadingId, rawIds } from './frame-scan.js';
import type { RateLimit } from './limits.js';
import { decodeFrame, encodeBatch, encodeError, idOf, isInexact, PARSE_FAILED } from './wire.js';

// The answers a server limit gives, each naming its option in `error.data.limit`.

/** The error object of a refusal by the limit named `limit`. */
export function limitError(
  code: 'TOO_MANY_REQUESTS' | 'PAYLOAD_TOO_LARGE',
  limit: string,
  message: string,
): ErrorObject {
  return { code: ERROR_CODES[code], message, data: { code, limit } };
}

/**
 * A frame nested deeper than `maxDepth`, refused unparsed: `PAYLOAD_TOO_LARGE` with the
 * request's id when it can be read from the start of the text, else `null`.
 */
export function tooDeep(text: string, maxDepth: number): string {
  return encodeError(leadingId(text), tooDeepError(maxDepth));
}

/** The error of a frame nested deeper than `maxDepth`. */
export function tooDeepError(maxDepth: number): ErrorObject {
  return limitError('PAYLOAD_TOO_LARGE', 'maxDepth', `Nested deeper than ${maxDepth} levels`);
}

/**
 * A message with more values than `maxValues`, refused unparsed (its schema would have to
 * look at each, and report an issue for each it rejects): `PAYLOAD_TOO_LARGE` with the
 * request's id when it can be read from the start of the text, else `null`.
 */
export function tooManyValues(text: string, maxValues: number): string {
  return encodeError(leadingId(text), tooManyValuesError(maxValues));
}

/** The error of a message with more than `maxValues` values. */
export function tooManyValuesError(maxValues: number): ErrorObject {
  return limitError(
    'PAYLOAD_TOO_LARGE',
    'maxValues',
    `More than ${maxValues} values (array elements and object members) in one message`,
  );
}

/** A batch longer than `maxBatchLength`, refused unparsed and whole. */
export function batchTooLong(length: number, maxBatchLength: number): string {
  return encodeError(null, batchTooLongError(length, maxBatchLength));
}

/** The error of a batch of `length` messages, longer than `maxBatchLength`. */
export function batchTooLongError(length: number, maxBatchLength: number): ErrorObject {
  return limitError(
    'PAYLOAD_TOO_LARGE',
    'maxBatchLength',
    `A batch of ${length} messages is longer than ${maxBatchLength}`,
  );
}

/** The error of a frame refused by the rate limit. */
export function rateLimitError(limit: RateLimit): ErrorObject {
  return limitError(
    'TOO_MANY_REQUESTS',
    'rateLimit',
    `Rate limit exceeded: at most ${limit.messagesPerSecond} messages per second, bursts of ${limit.burst}`,
  );
}

/**
 * The refusal of one parsed message (its id as written: `raw`): nothing for a
 * notification (spec, section 4.1).
 */
function refuseOne(
  value: unknown,
  error: ErrorObject,
  raw: string | undefined,
): string | undefined {
  if (isRequest(value) && value.id === undefined) return undefined;
  return encodeError(idOf(value, raw), error);
}

/** Whether a parsed message's id must be echoed from its text. */
function inexact(value: unknown): boolean {
  return isInexact((value as { id?: unknown } | null)?.id);
}

/**
 * What a frame refused by the rate limit is answered with, without running any of it: an
 * error for each request in it that has an id, nothing for notifications. The id is read
 * from the start of the text when it is there (where Volley's client and most others put
 * it), so such a frame is never parsed; only a frame whose id cannot be read that way is
 * parsed, to find out whom to answer. `undefined` when no one is to be answered.
 */
export function rateLimitedReply(text: string, limit: RateLimit): string | undefined {
  const error = rateLimitError(limit);
  const id = leadingId(text);
  if (id !== null) return encodeError(id, error);
  const value = decodeFrame(text);
  if (value === PARSE_FAILED) return encodeError(null, error);
  if (!Array.isArray(value)) {
    return refuseOne(value, error, inexact(value) ? rawIds(text)[0] : undefined);
  }
  if (value.length === 0) return encodeError(null, error);
  const raw = value.some(inexact) ? rawIds(text) : undefined;
  const replies: string[] = [];
  for (const [index, item] of value.entries()) {
    const reply = refuseOne(item, error, raw?.[index]);
    if (reply !== undefined) replies.push(reply);
  }
  return replies.length === 0 ? undefined : encodeBatch(replies);
}

/**
 * The refusal of a decoded frame (of a binary codec) with `error`: an error for each
 * request in it, in the codec; `undefined` when no one is to be answered. `raw` gives the
 * exact text of 64-bit integer ids, by position, when one is needed.
 */
export function refuseDecoded(
  codec: ServerCodec,
  value: unknown,
  error: ErrorObject,
  raw: () => Array<string | undefined>,
): Frame | undefined {
  const one = (item: unknown, rawId: string | undefined) =>
    isRequest(item) && item.id === undefined ? undefined : codec.error(idOf(item, rawId), error);
  if (!Array.isArray(value)) return one(value, inexact(value) ? raw()[0] : undefined);
  if (value.length === 0) return codec.error(null, error);
  const ids = value.some(inexact) ? raw() : undefined;
  const replies: Frame[] = [];
  for (const [index, item] of value.entries()) {
    const reply = one(item, ids?.[index]);
    if (reply !== undefined) replies.push(reply);
  }
  return replies.length === 0 ? undefined : codec.batch(replies);
}

/** A binary frame refused by the rate limit. */
export function rateLimitedBinary(limit: RateLimit): string {
  return encodeError(null, rateLimitError(limit));
}
