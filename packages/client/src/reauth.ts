import { type AuthParams, METHODS } from '@volley/core';

/** Sends a request and resolves with its result, as the client's calls do. */
type Call = (path: string, input: unknown) => Promise<unknown>;

/**
 * Re-authenticates the open connection in-band: asks for the connection params afresh
 * (calling them when they are a function, so a new token can be fetched) and sends them
 * in `rpc.auth`. The server builds the connection's context anew for later calls.
 *
 * @throws VolleyError `UNAUTHORIZED` or `FORBIDDEN` when the server refuses the new
 * params (the connection stays, with its previous context), or whatever a call rejects
 * with (a timeout, a lost connection).
 */
export async function reauthenticate(
  call: Call,
  connectionParams: unknown | (() => unknown | Promise<unknown>),
): Promise<void> {
  const params =
    typeof connectionParams === 'function'
      ? await (connectionParams as () => unknown | Promise<unknown>)()
      : connectionParams;
  const input: AuthParams = params === undefined ? {} : { connectionParams: params };
  await call(METHODS.AUTH, input);
}
