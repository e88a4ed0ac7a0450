// The options and limits of server-to-client calls, with their defaults.

/**
 * How long a server-to-client call waits for the client's answer, in ms, unless the call
 * gives its own `timeoutMs`: 30 s. Past it the call rejects with `VolleyError` `TIMEOUT`
 * and the client is told to stop (`rpc.cancel`). `Infinity` turns it off.
 */
export const DEFAULT_CLIENT_CALL_TIMEOUT_MS = 30_000;

/**
 * Most server-to-client calls waiting for an answer on one connection: 100. One more
 * rejects at once, without being sent, with `VolleyError` `TOO_MANY_REQUESTS` and
 * `limit: "maxClientCalls"`. It bounds what the server holds per connection for a client
 * that never answers; the client bounds what it runs itself (`maxConcurrent` of
 * `createHandlers`).
 */
export const DEFAULT_MAX_CLIENT_CALLS = 100;

/** The options of `createServer` for server-to-client calls. */
export interface ClientCallServerOptions {
  /** See {@link DEFAULT_CLIENT_CALL_TIMEOUT_MS}. */
  clientCallTimeoutMs?: number | undefined;
  /** See {@link DEFAULT_MAX_CLIENT_CALLS}. */
  maxClientCalls?: number | undefined;
}

/** The options resolved to numbers. */
export interface ClientCallLimits {
  timeoutMs: number;
  maxCalls: number;
}

/**
 * Applies the defaults and checks the values.
 *
 * @throws TypeError when one is not a positive number (an integer for `maxClientCalls`),
 * or `Infinity`.
 */
export function resolveClientCallLimits(options: ClientCallServerOptions): ClientCallLimits {
  const timeoutMs = options.clientCallTimeoutMs ?? DEFAULT_CLIENT_CALL_TIMEOUT_MS;
  const maxCalls = options.maxClientCalls ?? DEFAULT_MAX_CLIENT_CALLS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
    throw new TypeError('createServer: `clientCallTimeoutMs` must be a positive number of ms');
  }
  if (
    typeof maxCalls !== 'number' ||
    !(maxCalls > 0) ||
    (Number.isFinite(maxCalls) && !Number.isInteger(maxCalls))
  ) {
    throw new TypeError('createServer: `maxClientCalls` must be a positive integer or Infinity');
  }
  return { timeoutMs, maxCalls };
}
