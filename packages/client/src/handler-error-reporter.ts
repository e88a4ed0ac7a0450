import type { HandlerErrorInfo } from './handlers.js';

/**
 * The default `onError` of `createHandlers`: writes each **unexpected** error of a
 * handler (`INTERNAL_ERROR`: anything it threw that was not a `VolleyError`) with
 * `console.error`, with its path and the original error. Expected errors (a `VolleyError`
 * it threw, invalid input, a limit) are the server's to handle and are not written.
 * Replace it with your own `onError`, or pass `onError: false` to report nothing.
 */
export function reportHandlerError(info: HandlerErrorInfo): void {
  if (info.error.code !== 'INTERNAL_ERROR') return;
  // biome-ignore lint/suspicious/noConsole: the one documented default reporter of handlers.
  console.error(
    `[volley] Unexpected error in client handler "${info.path}":`,
    info.error.cause ?? info.error,
  );
}
