import {
  ERROR_CODES,
  type ErrorObject,
  encodeBatch,
  encodeError,
  idOf,
  isRequest,
  PARSE_FAILED,
  type RequestId,
} from '@volley/core';
import { leadingId } from './frame-scan.js';
import type { RateLimit } from './limits.js';

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
  return encodeError(
    leadingId(text),
    limitError('PAYLOAD_TOO_LARGE', 'maxDepth', `Nested deeper than ${maxDepth} levels`),
  );
}

/** A batch longer than `maxBatchLength`, refused unparsed and whole. */
export function batchTooLong(length: number, maxBatchLength: number): string {
  return encodeError(
    null,
    limitError(
      'PAYLOAD_TOO_LARGE',
      'maxBatchLength',
      `A batch of ${length} messages is longer than ${maxBatchLength}`,
    ),
  );
}

function rateLimited(limit: RateLimit): ErrorObject {
  return limitError(
    'TOO_MANY_REQUESTS',
    'rateLimit',
    `Rate limit exceeded: at most ${limit.messagesPerSecond} messages per second, bursts of ${limit.burst}`,
  );
}

function rateLimitedOne(value: unknown, error: ErrorObject): string | undefined {
  // A notification is never answered, not even when it is refused (spec, section 4.1).
  if (isRequest(value) && value.id === undefined) return undefined;
  return encodeError(idOf(value) as RequestId, error);
}

/**
 * What a frame refused by the rate limit is answered with: an error for each request
 * in it that has an id (`null` for a frame that is not JSON), nothing for notifications.
 */
export function rateLimitedReply(value: unknown, limit: RateLimit): string | undefined {
  const error = rateLimited(limit);
  if (value === PARSE_FAILED) return encodeError(null, error);
  if (!Array.isArray(value)) return rateLimitedOne(value, error);
  const replies: string[] = [];
  for (const item of value) {
    const reply = rateLimitedOne(item, error);
    if (reply !== undefined) replies.push(reply);
  }
  if (value.length === 0) return encodeError(null, error);
  return replies.length === 0 ? undefined : encodeBatch(replies);
}
