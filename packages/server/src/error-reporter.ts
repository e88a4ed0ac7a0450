import { inspect } from 'node:util';
import type { ErrorInfo } from './options.js';

/**
 * The server's default `onError`: writes each **unexpected** error (`INTERNAL_ERROR`:
 * something a procedure, middleware, `createContext` or the server itself threw that was
 * not a `VolleyError`) to stderr, with its path, connection and the original error's
 * stack. Expected errors (a `VolleyError` a procedure threw, invalid input, a limit) are
 * the client's to handle and are not written. Replace it with your own `onError`, or pass
 * `onError: false` to report nothing.
 */
export function reportToStderr(info: ErrorInfo): void {
  const { error, path, connectionId } = info;
  if (error.code !== 'INTERNAL_ERROR') return;
  const where = path === undefined ? '' : ` in "${path}"`;
  const original = error.cause ?? error;
  process.stderr.write(
    `[volley] Unexpected error${where} (connection ${connectionId}): ${inspect(original)}\n`,
  );
}
