import type { Params, RequestId } from './messages.js';

/**
 * Encodes a request (with an `id`) or a notification (`id` `undefined`) as the text of one
 * frame. For clients, in any JavaScript runtime; the server's own encoders live with it.
 *
 * @throws TypeError what `JSON.stringify` throws for `params` that are not JSON (a BigInt, a cycle).
 */
export function encodeRequest(id: RequestId | undefined, method: string, params?: Params): string {
  // JSON leaves out the members that are undefined: a notification's `id`, a request's
  // absent `params`.
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}
