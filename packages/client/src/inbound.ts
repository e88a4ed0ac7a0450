import { type ErrorObject, VolleyError } from '@volley/core';
import { INIT_ID, INTERNAL_ERROR, Method } from './protocol.js';
import type { RequestTable } from './request-table.js';
import type { SubscriptionTable } from './subscription-table.js';

/** A response, request or notification from the server, before it is checked. */
export interface ServerMessage {
  id?: unknown;
  result?: unknown;
  error?: unknown;
  method?: unknown;
  params?: { subscription?: unknown; data?: unknown; eventId?: unknown; error?: unknown };
}

/** The error of a response or `rpc.error`: a `VolleyError`, `INTERNAL_ERROR` when malformed. */
function errorFrom(error: unknown): VolleyError {
  const { code, message } = (error ?? {}) as Partial<ErrorObject>;
  return VolleyError.fromErrorObject(
    typeof code === 'number' && typeof message === 'string'
      ? (error as ErrorObject)
      : { code: INTERNAL_ERROR, message: 'Malformed error' },
  );
}

/**
 * The inbound router: hands each message from the server to what waits for it. The
 * answer to `rpc.init` goes to `accepted`; any other response settles its request in the
 * table (then `answered` runs); a subscription's notification goes to its live
 * subscription; anything else with a `method` (a request from the server, or its
 * `rpc.cancel`) goes to `serve`, which answers it.
 *
 * One message at a time, never a batch: the server answers one only to a batch, which
 * this client never sends. Read leniently: anything without a `method` is a response, and
 * an `error` that is not a JSON-RPC error object fails the call as `INTERNAL_ERROR` rather
 * than leaving it to time out. What matches nothing is dropped.
 */
export function createInbound(
  requests: RequestTable,
  subscriptions: SubscriptionTable,
  accepted: () => void,
  answered: () => void,
  serve: (message: ServerMessage) => void,
): (message: unknown) => void {
  return (message) => {
    const { id, result, error, method, params } = (message ?? {}) as ServerMessage;
    if (method === undefined) {
      // {"jsonrpc":"2.0","id":1,"result":…} or {"jsonrpc":"2.0","id":1,"error":{…}}
      if (id === INIT_ID) {
        if (error === undefined) accepted();
        return;
      }
      const request = requests._take(id); // a heartbeat's "pong" matches none
      if (!request) return;
      answered();
      if (error === undefined) request._resolve(result);
      else request._reject(errorFrom(error));
      return;
    }
    const sink = subscriptions.get(params?.subscription);
    // A live subscription was found by its params, so they are there.
    if (sink) {
      switch (method) {
        case Method.EVENT: // {"method":"rpc.event","params":{"subscription":1,"eventId"?:"…","data":…}}
          sink._push(params!);
          return;
        case Method.COMPLETE: // {"method":"rpc.complete","params":{"subscription":1}}
          sink._complete();
          return;
        case Method.ERROR: // {"method":"rpc.error","params":{"subscription":1,"error":{…}}}
          sink._fail(errorFrom(params!.error));
          return;
      }
    }
    // {"id":"s1","method":"confirm","params":…} or {"method":"rpc.cancel","params":{"id":"s1"}},
    // or a notification of a subscription already left here (the server is catching up),
    // which the handlers ignore.
    serve(message as ServerMessage);
  };
}
