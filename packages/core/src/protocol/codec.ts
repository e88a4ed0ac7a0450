import type { Params, RequestId } from './messages.js';

/**
 * W3C trace context a call may carry, as members of its request beside `method`
 * (PROTOCOL.md, "Trace context"): `traceparent`, and `tracestate` when there is one.
 */
export interface TraceMembers {
  /** Such as `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  traceparent: string;
  /** Vendor-specific trace state, when there is some. */
  tracestate?: string | undefined;
}

/**
 * Encodes a request (with an `id`) or a notification (`id` `undefined`) as the text of one
 * frame, with `trace`'s members when given. For clients, in any JavaScript runtime; the
 * server's own encoders live with it.
 *
 * @throws TypeError what `JSON.stringify` throws for `params` that are not JSON (a BigInt, a cycle).
 */
export function encodeRequest(
  id: RequestId | undefined,
  method: string,
  params?: Params,
  trace?: TraceMembers,
): string {
  // JSON leaves out the members that are undefined: a notification's `id`, a request's
  // absent `params`.
  return JSON.stringify({ jsonrpc: '2.0', id, method, params, ...trace });
}
