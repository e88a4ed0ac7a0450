import type { Params, RequestId } from './messages.js';

/**
 * Encodes a request (with an `id`) or a notification (`id` `undefined`) as the text of one
 * frame. For clients, in any JavaScript runtime; the server's own encoders live with it.
 *
 * @throws TypeError what `JSON.stringify` throws for `params` that are not JSON (a BigInt, a cycle).
 */
export function encodeRequest(id: RequestId | undefined, method: string, params?: Params): string {
  // Built by concatenation: no intermediate object per message.
  let text = '{"jsonrpc":"2.0"';
  if (id !== undefined) text += `,"id":${JSON.stringify(id)}`;
  text += `,"method":${JSON.stringify(method)}`;
  if (params !== undefined) text += `,"params":${JSON.stringify(params)}`;
  return `${text}}`;
}
