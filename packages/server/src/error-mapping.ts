// How an error becomes what the client sees, and who hears of it on the server. Nothing
// internal leaks: an unexpected error reaches the client as a generic -32603 unless the
// server exposes errors; the real one goes to `onError`.
import { type ErrorObject, type ProcedureType, toVolleyError } from '@volley/core';
import type { Connection } from './connection.js';
import type { ErrorInfo } from './options.js';

/** Tells the server's `onError` (or its default reporter); a throw there is swallowed. */
export function report(connection: Connection, info: ErrorInfo): void {
  const onError = connection.config.onError;
  if (onError === undefined) return;
  try {
    // ErrorInfo promises the connection's address; the steps that report do not carry it.
    onError(
      info.clientAddress === undefined && connection.clientAddress !== undefined
        ? { ...info, clientAddress: connection.clientAddress }
        : info,
    );
  } catch {
    // onError is the user's; a throw there must not stop serving.
  }
}

/** Reports a failure of the server's own that no request is waiting for. */
export function reportInternal(connection: Connection, error: unknown): void {
  report(connection, { error: toVolleyError(error), connectionId: connection.id });
}

/** The error object to send for `error` thrown by procedure `path`, reporting it to `onError`. */
export function errorObject(
  connection: Connection,
  error: unknown,
  path: string,
  type: ProcedureType,
  input: unknown,
): ErrorObject {
  const volleyError = toVolleyError(error);
  report(connection, { error: volleyError, connectionId: connection.id, path, type, input });
  const { exposeErrors } = connection.config;
  const cause = volleyError.cause;
  if (exposeErrors && volleyError.code === 'INTERNAL_ERROR' && cause instanceof Error) {
    return {
      code: volleyError.rpcCode,
      message: cause.message,
      data: { code: volleyError.code, stack: cause.stack },
    };
  }
  return volleyError.toErrorObject(exposeErrors);
}
