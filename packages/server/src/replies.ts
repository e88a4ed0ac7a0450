// The connection's protocol-level replies: error objects with the spec's messages, the
// answers that never change (encoded once), and the helpers that keep client-chosen text
// in a reply short.
import {
  ERROR_CODES,
  type ErrorCodeName,
  type ErrorIssue,
  type ErrorObject,
  STANDARD_MESSAGES,
} from '@volley/core';
import type { Frame, ServerCodec } from './codec.js';
import { ExactId, encodeError, utf8Bytes, type WireId } from './wire.js';

/** An error object for a protocol-level failure, with the spec's message for the standard codes. */
export function protocolError(code: ErrorCodeName, issues?: ErrorIssue[]): ErrorObject {
  const message = (STANDARD_MESSAGES as Record<string, string | undefined>)[code] ?? code;
  return issues === undefined
    ? { code: ERROR_CODES[code], message, data: { code } }
    : { code: ERROR_CODES[code], message, data: { code, issues } };
}

// Answers that never change, encoded once.
export const PARSE_ERROR_TEXT = encodeError(null, protocolError('PARSE_ERROR'));
export const BINARY_FRAME_TEXT = encodeError(
  null,
  protocolError('INVALID_REQUEST', [
    {
      path: [],
      message: 'Binary frames are not supported: send each JSON-RPC message as a text frame',
    },
  ]),
);
export const EMPTY_BATCH: ErrorObject = protocolError('INVALID_REQUEST', [
  { path: [], message: 'A batch must not be empty' },
]);
export const EMPTY_BATCH_TEXT = encodeError(null, EMPTY_BATCH);

/** Shortens a client-chosen name quoted in an error, so a reply never echoes a huge one. */
export function clip(name: string): string {
  return name.length <= 100 ? name : `${name.slice(0, 100)}…`;
}

/** Cuts a close reason to the 123 bytes RFC 6455 allows, on a character boundary. */
export function closeReason(text: string): string {
  // 123 bytes hold at most 123 characters: cut there first, so that a reason quoting a
  // huge client input costs no more than a short one.
  let reason = text.length > 123 ? text.slice(0, 123) : text;
  while (utf8Bytes(reason).length > 123) reason = reason.slice(0, -1);
  // Never end on half a surrogate pair, which would go out as U+FFFD.
  const last = reason.charCodeAt(reason.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) reason = reason.slice(0, -1);
  return reason;
}

/** The answer to a request whose id is already in flight on this connection. */
export function duplicateId(codec: ServerCodec, id: WireId): Frame {
  const shown =
    typeof id === 'string'
      ? JSON.stringify(clip(id))
      : id instanceof ExactId
        ? clip(id.json)
        : String(id);
  return codec.error(
    id,
    protocolError('INVALID_REQUEST', [
      { path: ['id'], message: `Request id ${shown} is already in flight` },
    ]),
  );
}
