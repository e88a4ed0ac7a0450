// How an error becomes what the client sees, and who hears of it on the server. Nothing
// internal leaks: an unexpected error reaches the client as a generic -32603 unless the
// server exposes errors; the real one goes to `onError`.
import {
  type ErrorData,
  type ErrorObject,
  type ProcedureType,
  toVolleyError,
  type VolleyError,
} from '@volley/core';
import type { Connection } from './connection.js';
import type { ErrorInfo } from './options.js';

/**
 * The `error` member of a response (or of `rpc.error`) for `error`: its number, its message,
 * and in `data` its name with whichever of issues, details (`error.data`) and limit it has.
 * The cause never goes out; `expose` adds the stack, which only a server in development
 * should send. The client's `VolleyError.fromErrorObject` reads it back.
 */
export function toErrorObject(error: VolleyError, expose = false): ErrorObject {
  const data: ErrorData = { code: error.code };
  if (error.issues !== undefined) data.issues = error.issues;
  if (error.data !== undefined) data.details = error.data;
  if (error.limit !== undefined) data.limit = error.limit;
  if (expose && error.stack !== undefined) data.stack = error.stack;
  return { code: error.rpcCode, message: error.message, data };
}

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
  return toErrorObject(volleyError, exposeErrors);
}
