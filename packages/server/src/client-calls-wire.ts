// The frames of server-to-client calls, in both directions. The server's ids are strings
// `"s1"`, `"s2"`, ... counting per connection, so that they never look like the numbers
// Volley's client uses for its own calls (the two directions have separate tables anyway).
//
// → {"jsonrpc":"2.0","id":"s1","method":"confirm","params":{"name":"a.txt"}}   (server to client)
// ← {"jsonrpc":"2.0","id":"s1","result":true}                                  (client to server)
// → {"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":"s1"}}                (server to client)
import { type ErrorObject, type Params, VolleyError } from '@volley/core';

/** The prefix of every id the server gives its own requests. */
export const CLIENT_CALL_ID_PREFIX = 's';

/** A response from the client, before it is checked. */
export interface ClientResponse {
  id?: unknown;
  result?: unknown;
  error?: unknown;
}

/**
 * Whether a message from the client is a response (to a server-to-client call) rather
 * than a request: an object with `result` or `error` and no `method`. Such a message is
 * never refused as an invalid request.
 */
export function isClientResponse(value: unknown): value is ClientResponse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return !('method' in value) && ('result' in value || 'error' in value);
}

/** A request to the client. Throws what `JSON.stringify` throws (a BigInt, a cycle). */
export function encodeClientRequest(
  id: string,
  method: string,
  params: Params | undefined,
): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

/** The error a client answered with: a `VolleyError`, `INTERNAL_ERROR` when malformed. */
export function clientError(error: unknown): VolleyError {
  const { code, message } = (error ?? {}) as Partial<ErrorObject>;
  return VolleyError.fromErrorObject(
    typeof code === 'number' && typeof message === 'string'
      ? (error as ErrorObject)
      : { code: -32603, message: 'Malformed error from the client' },
  );
}
