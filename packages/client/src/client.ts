import {
  type AnyRouter,
  type AuthParams,
  type CodecName,
  paramsFromInput,
  VolleyError,
} from '@volley/core';
import { onAbort } from './abort.js';
import type { EncodeRequest } from './codec.js';
import { createConnection } from './connection.js';
import type { Disconnect } from './disconnect.js';
import { ClientClosedError, ConnectionLostError } from './errors.js';
import { createInbound, type ServerMessage } from './inbound.js';
import {
  type ClientOptions,
  DEFAULT_LAZY_IDLE_MS,
  DEFAULT_TIMEOUT_MS,
  resolveLazy,
} from './options.js';
import { METHOD_NOT_FOUND, Method, UNAUTHORIZED } from './protocol.js';
import { createProxy } from './proxy.js';
import { createRequestTable, type PendingRequest } from './request-table.js';
import { createSubscriptionTable } from './subscription-table.js';
import { later } from './timers.js';
import type { MutationOptions, VolleyClient } from './types.js';

// The client, wired from its parts. A message from the server goes from the connection
// (connection.ts: open, heartbeat, reconnect) to the inbound router (inbound.ts), which
// settles a request of the request table (request-table.ts: ids, timeouts, what is sent
// again after a drop) or feeds a live subscription of the subscription table
// (subscription-table.ts: positions, rpc.resume). A call goes from the proxy (proxy.ts)
// through this file into the request table and out on the connection. What spans the
// parts lives here: closing, failing fast, a lazy client's idling.
//
// The parts' members start with `_`: they are internal, and the build shortens them
// (tsup.config.ts), which keeps the browser bundle within its 4 kB.

/**
 * Creates a typed client for the router type `TRouter`, which you import with
 * `import type` from your server code: no code generation, no runtime import of it. See
 * `ClientOptions` for every option and its default.
 *
 * @example
 * const client = createClient<AppRouter>({ url: 'ws://localhost:3000', WebSocket });
 * const text = await client.greet.query({ name: 'Ada' });
 * @throws TypeError when no WebSocket implementation is available.
 */
export function createClient<TRouter extends AnyRouter, TCodec extends CodecName = 'json'>(
  options: ClientOptions<TCodec>,
): VolleyClient<TRouter, TCodec> {
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { lazy, failFast } = options;
  const lazyIdleMs = lazy
    ? ((lazy as { idleMs?: number }).idleMs ?? DEFAULT_LAZY_IDLE_MS)
    : undefined;
  let nextId = 0;
  // A request as its codec writes it (JSON text by default); what is undefined is left out.
  const codec = options.codec ?? JSON;
  const encode: EncodeRequest = (id, method, params, trace) =>
    codec.stringify({ jsonrpc: '2.0', id, method, params, ...trace });
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  /**
   * Tells the server to stop request `id`. Sent only on an open socket, which had every
   * request in the table sent on it; without one, the server has nothing to stop.
   */
  const cancel = (id: number) => connection._send(encode(undefined, Method.CANCEL, { id }));

  /** A request or subscription ended: a lazy client with nothing left closes after `idleMs`. */
  const settled = () => {
    if (lazyIdleMs === undefined || closed || requests.size || subscriptions.size) return;
    clearTimeout(idleTimer);
    idleTimer = later(() => {
      connection._disconnect();
      // Nothing waits, so the timeout timer has nothing to do: let it not hold the process.
      requests._drain();
    }, lazyIdleMs);
  };

  // A request that timed out or was aborted, once out of the table: tell the server.
  const requests = createRequestTable(defaultTimeoutMs, (id) => {
    cancel(id);
    settled();
  });

  /** Sends a new request now if the socket is open; otherwise it waits for one. */
  const enqueue = (id: number, request: PendingRequest) => {
    requests._add(id, request);
    // A lazy client has work: keep (or get, as send does) its connection.
    clearTimeout(idleTimer);
    request._sent = connection._send(request._frame);
  };

  const subscriptions = createSubscriptionTable(
    enqueue,
    cancel,
    (id) => {
      requests._take(id);
      settled();
    },
    encode,
  );

  const connection = createConnection(
    options,
    // A socket opened: send everything waiting, in the order it was made. None of it went
    // out on this socket yet (a drop marks every request unsent).
    () => requests._sendAll(connection._send),
    createInbound(
      requests,
      subscriptions,
      () => connection._accepted(),
      settled,
      (message) => serve(message),
    ),
    onDrop,
    encode,
    codec,
  );

  // The server's requests: to the handlers, when the client has some; else each one with
  // an id is answered "method not found", and its notifications (`rpc.cancel`) dropped.
  const serve =
    options.handlers?.(connection, codec) ??
    (({ id }: ServerMessage) =>
      id !== undefined &&
      connection._send(
        codec.stringify({
          jsonrpc: '2.0',
          id,
          error: { code: METHOD_NOT_FOUND, message: 'Method not found' },
        }),
      ));

  /** Why a new call or subscription cannot wait: the client is closed, or the server unreachable with `failFast`. */
  const refusal = () =>
    closed
      ? new ClientClosedError()
      : failFast && connection._unreachable()
        ? lost(connection._lastDisconnect() as Disconnect)
        : undefined;

  const lost = (disconnect: Disconnect) =>
    new ConnectionLostError(disconnect.code, disconnect.reason, disconnect);

  const failAll = (error: unknown) => {
    const lives = subscriptions._drain();
    for (const request of requests._drain()) request._reject(error);
    for (const live of lives) live._fail(error);
  };

  function call(
    operation: 'query' | 'mutate',
    path: string,
    input: unknown,
    callOptions: MutationOptions,
  ): Promise<unknown> {
    const { signal } = callOptions;
    const id = ++nextId;
    // What the executor throws rejects the call: a TypeError from JSON.stringify when the
    // input is not JSON (a BigInt, a cycle), for one.
    const promise = new Promise((resolve, reject) => {
      const refused = refusal();
      if (refused) throw refused;
      if (signal?.aborted) throw signal.reason;
      enqueue(id, {
        _frame: encode(id, path, paramsFromInput(input), options.trace?.()),
        // A query is safe to send again after a lost connection; a mutation only when the
        // caller says it is idempotent.
        _retriable: operation === 'query' || callOptions.idempotent === true,
        _path: path,
        _timeoutMs: callOptions.timeoutMs,
        _resolve: resolve,
        _reject: reject,
      });
    });
    // An abort after the call ended has nothing to expire.
    const off = onAbort(signal, () => requests._expire(id, signal?.reason));
    promise.then(off, off);
    return promise;
  }

  /**
   * The socket dropped or an attempt failed. Sent requests that may not run twice fail;
   * everything else waits for the next connection, unless the server is unreachable and
   * the client fails fast. Returns whether to reconnect.
   */
  function onDrop(disconnect: Disconnect, givingUp: boolean): boolean {
    const { kind, code, reason } = disconnect;
    const error = lost(disconnect);
    // Given up, or denied (retrying with the same credentials would only storm the
    // server): everything waiting fails.
    if (givingUp || kind === 'denied') {
      failAll(
        givingUp
          ? error
          : new VolleyError({
              code: code === UNAUTHORIZED ? 'UNAUTHORIZED' : 'FORBIDDEN',
              message: reason || undefined,
            }),
      );
      return false;
    }
    requests._dropped(error, failFast && connection._unreachable());
    subscriptions._resume((id) => requests.has(id));
    return lazyIdleMs === undefined || requests.size > 0;
  }

  return createProxy(
    (operation, path, input, callOptions) =>
      operation === 'subscribe'
        ? subscriptions._start(++nextId, path, input, callOptions, refusal())
        : call(operation, path, input, callOptions),
    {
      $close(): Promise<void> {
        if (!closed) {
          closed = true;
          clearTimeout(idleTimer);
          failAll(new ClientClosedError());
        }
        return connection._close();
      },
      async $reauth(): Promise<void> {
        const connectionParams = await resolveLazy(options.connectionParams);
        // JSON leaves out connectionParams when undefined: `"params":{}`.
        await call('mutate', Method.AUTH, { connectionParams } satisfies AuthParams, {});
      },
      $onStateChange: connection._onStateChange,
      get $state() {
        return connection._state();
      },
      get $lastDisconnect() {
        return connection._lastDisconnect();
      },
    },
  ) as VolleyClient<TRouter>;
}
