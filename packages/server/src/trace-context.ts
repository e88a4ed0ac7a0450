// W3C trace context on a request: the optional `traceparent` and `tracestate` members a
// client may put beside `method` (PROTOCOL.md, "Trace context"). Read only when an
// observer watches calls; a value that is not well-formed is ignored, never an error and
// never echoed.
import type { TraceContext } from './observer.js';

/**
 * `traceparent` (W3C Trace Context, level 1): version, trace id, parent id, flags, in
 * lowercase hex. Version `ff` is invalid; later versions may append fields after a dash.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[ -~]*)?$/;
const ALL_ZERO_TRACE = '00000000000000000000000000000000';
const ALL_ZERO_PARENT = '0000000000000000';

/** Longest `tracestate` kept: 32 members of at most 256 characters, joined (W3C's own bound). */
export const MAX_TRACESTATE_LENGTH = 8_224;

/** Whether `value` is a well-formed `traceparent` header value. */
export function isTraceparent(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 512) return false;
  const match = TRACEPARENT.exec(value);
  if (match === null) return false;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff' || traceId === ALL_ZERO_TRACE || parentId === ALL_ZERO_PARENT) return false;
  // Version 00 has exactly four fields.
  return version !== '00' || rest === undefined;
}

/**
 * The trace context of a request, from its `traceparent` and `tracestate` members:
 * `undefined` when it has no well-formed `traceparent`. A `tracestate` that is not a
 * printable string within {@link MAX_TRACESTATE_LENGTH} is left out.
 */
export function traceContextOf(request: {
  traceparent?: unknown;
  tracestate?: unknown;
}): TraceContext | undefined {
  const { traceparent, tracestate } = request;
  if (!isTraceparent(traceparent)) return undefined;
  if (
    typeof tracestate === 'string' &&
    tracestate.length <= MAX_TRACESTATE_LENGTH &&
    /^[ -~]*$/.test(tracestate)
  ) {
    return { traceparent, tracestate };
  }
  return { traceparent };
}
