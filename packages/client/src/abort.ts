/**
 * Calls `run` once when `signal` aborts, and returns a function that stops listening.
 * Without a signal it does nothing.
 */
export const onAbort = (signal: AbortSignal | undefined, run: () => void): (() => void) => {
  signal?.addEventListener('abort', run, { once: true });
  return () => signal?.removeEventListener('abort', run);
};
